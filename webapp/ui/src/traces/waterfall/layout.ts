// Waterfall model, free of React so it is unit-tested and fast at 100k spans: the span tree from
// flat spans, visible rows under collapsed nodes, the critical path, and totals rolled up the tree.
// Everything is iterative (long parent chains must not blow the stack).

export interface SpanLike {
  span_id: string;
  parent_span_id: string;
  name: string;
  service_name: string;
  start_time_unix_nano: number;
  end_time_unix_nano: number;
  status_code: string;
  total_tokens: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  /** the span repeats a provider call traced already: its cost is counted once, on the first span */
  duplicate?: boolean;
}

export interface Node<S extends SpanLike = SpanLike> {
  span: S;
  parent: Node<S> | null;
  children: Node<S>[];
  depth: number;
}

export interface Tree<S extends SpanLike = SpanLike> {
  roots: Node<S>[];
  byId: Map<string, Node<S>>;
  start: number;
  end: number;
}

const byStart = (a: Node, b: Node) =>
  a.span.start_time_unix_nano - b.span.start_time_unix_nano || (a.span.span_id < b.span.span_id ? -1 : 1);

/** Nest spans under their parents; spans whose parent is absent become roots, and a parent cycle
 *  is broken at one of its spans (which becomes a root). O(n). */
export function buildTree<S extends SpanLike>(spans: readonly S[]): Tree<S> {
  const byId = new Map<string, Node<S>>();
  for (const span of spans) if (!byId.has(span.span_id)) byId.set(span.span_id, { span, parent: null, children: [], depth: 0 });
  const roots: Node<S>[] = [];
  for (const node of byId.values()) {
    const parent = node.span.parent_span_id ? byId.get(node.span.parent_span_id) : undefined;
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  const seen = new Set<Node<S>>();
  const walk = (from: Node<S>) => {
    const stack = [from];
    while (stack.length) {
      const node = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      for (const child of node.children) stack.push(child);
    }
  };
  roots.forEach(walk);
  if (seen.size < byId.size) {
    for (const node of byId.values()) {
      if (seen.has(node)) continue;
      // unreachable from any root: part of (or below) a cycle; cut it loose here
      const parent = node.parent!;
      parent.children.splice(parent.children.indexOf(node), 1);
      node.parent = null;
      roots.push(node);
      walk(node);
    }
  }
  let start = Infinity;
  let end = -Infinity;
  const stack = [...roots];
  while (stack.length) {
    const node = stack.pop()!;
    node.children.sort(byStart as (a: Node<S>, b: Node<S>) => number);
    start = Math.min(start, node.span.start_time_unix_nano);
    end = Math.max(end, node.span.end_time_unix_nano);
    for (const child of node.children) {
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }
  roots.sort(byStart as (a: Node<S>, b: Node<S>) => number);
  if (!Number.isFinite(start)) start = end = 0;
  return { roots, byId, start, end };
}

export interface Row<S extends SpanLike = SpanLike> {
  node: Node<S>;
  /** hidden descendants when the node is collapsed */
  hidden: number;
}

/** Depth-first visible rows: children of a collapsed node are left out. */
export function visibleRows<S extends SpanLike>(tree: Tree<S>, collapsed: ReadonlySet<string>): Row<S>[] {
  const rows: Row<S>[] = [];
  const stack = [...tree.roots].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    const isCollapsed = collapsed.has(node.span.span_id) && node.children.length > 0;
    rows.push({ node, hidden: isCollapsed ? countDescendants(node) : 0 });
    if (!isCollapsed) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return rows;
}

export function countDescendants(node: Node): number {
  let n = 0;
  const stack = [...node.children];
  while (stack.length) {
    const c = stack.pop()!;
    n++;
    stack.push(...c.children);
  }
  return n;
}

/** Span ids of every node with children (for "collapse all"). */
export function parents(tree: Tree): Set<string> {
  const out = new Set<string>();
  for (const node of tree.byId.values()) if (node.children.length) out.add(node.span.span_id);
  return out;
}

/**
 * The critical path: the chain of work that determined when each root finished. From a span's
 * end, walk back through its children latest-ending first; a child that started before the
 * cursor is on the path (recursively), and the cursor moves to that child's start. Time no child
 * covers is the span's own work. Spans in parallel that ended earlier are not on the path.
 */
export function criticalPath(tree: Tree): Set<string> {
  const onPath = new Set<string>();
  const stack = [...tree.roots];
  while (stack.length) {
    const node = stack.pop()!;
    onPath.add(node.span.span_id);
    let cursor = node.span.end_time_unix_nano;
    const children = [...node.children].sort((a, b) => b.span.end_time_unix_nano - a.span.end_time_unix_nano);
    for (const child of children) {
      if (child.span.start_time_unix_nano >= cursor) continue; // entirely after the chosen work: waited on nothing
      if (child.span.end_time_unix_nano <= node.span.start_time_unix_nano) continue;
      stack.push(child);
      cursor = Math.max(node.span.start_time_unix_nano, child.span.start_time_unix_nano);
      if (cursor <= node.span.start_time_unix_nano) break;
    }
  }
  return onPath;
}

export interface Totals {
  tokens: number;
  cost: number;
  errors: number;
  spans: number;
}

/** Totals of each span's subtree (itself included), computed bottom-up. */
export function rollUp(tree: Tree): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  const order: Node[] = [];
  const stack = [...tree.roots];
  while (stack.length) {
    const node = stack.pop()!;
    order.push(node);
    stack.push(...node.children);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const s = node.span;
    const own: Totals = {
      tokens: s.total_tokens ?? (s.input_tokens ?? 0) + (s.output_tokens ?? 0),
      cost: s.duplicate ? 0 : (s.cost_usd ?? 0),
      errors: s.status_code === "error" ? 1 : 0,
      spans: 1,
    };
    for (const child of node.children) {
      const t = totals.get(child.span.span_id)!;
      own.tokens += t.tokens;
      own.cost += t.cost;
      own.errors += t.errors;
      own.spans += t.spans;
    }
    totals.set(s.span_id, own);
  }
  return totals;
}

/** Span ids whose name, service, id, status message or attribute values contain `query` (any case). */
export function searchSpans<S extends SpanLike & { attributes?: Record<string, string>; status_message?: string }>(
  tree: Tree<S>, query: string,
): Set<string> {
  const q = query.trim().toLowerCase();
  const hits = new Set<string>();
  if (!q) return hits;
  for (const { span } of tree.byId.values()) {
    const fields = [span.name, span.service_name, span.span_id, span.status_message ?? ""];
    let hit = fields.some((f) => f.toLowerCase().includes(q));
    if (!hit && span.attributes) {
      for (const [k, v] of Object.entries(span.attributes)) {
        if (k.toLowerCase().includes(q) || (v.length < 10_000 && v.toLowerCase().includes(q))) {
          hit = true;
          break;
        }
      }
    }
    if (hit) hits.add(span.span_id);
  }
  return hits;
}

/** Ids of the collapsed ancestors hiding `id` (to reveal a search hit or an error). */
export function collapsedAncestors(tree: Tree, id: string, collapsed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let p = tree.byId.get(id)?.parent ?? null; p; p = p.parent) if (collapsed.has(p.span.span_id)) out.push(p.span.span_id);
  return out;
}

/** Tick positions for a time ruler over [0, width] ns: round steps, about `target` of them. */
export function ticks(durationNs: number, target = 6): number[] {
  if (durationNs <= 0) return [0];
  const raw = durationNs / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = 0; t <= durationNs + 1e-9; t += step) out.push(t);
  return out;
}
