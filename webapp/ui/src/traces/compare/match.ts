// Matching the spans of two traces: a span's identity is its path of names from the root plus its
// position among same-named siblings (root#1 › agent#1 › chat#2), so repeated calls pair up in
// order. Unmatched spans of A are missing in B; unmatched spans of B were added. Paths are interned
// as small integers (parent path id + name + position), so a 10,000-deep chain costs O(n), not O(n²).
import { buildTree, type Node, type SpanLike } from "../waterfall/layout";

export interface Compared<S extends SpanLike> {
  /** the interned path; equal keys in A and B are the same position in the trace */
  key: number;
  depth: number;
  name: string;
  a: S | null;
  b: S | null;
  /** B − A; null when one side is missing */
  durationMs: number | null;
  tokens: number | null;
  cost: number | null;
}

export type PathIds = Map<string, number>;

const tokens = (s: SpanLike) => s.total_tokens ?? (s.input_tokens ?? 0) + (s.output_tokens ?? 0);

function intern(paths: PathIds, parent: number, name: string, k: number): number {
  const step = `${parent}\u0000${name}\u0000${k}`;
  let id = paths.get(step);
  if (id === undefined) {
    id = paths.size;
    paths.set(step, id);
  }
  return id;
}

/** (path id, node) in depth-first order; `paths` is shared by the traces being compared. */
export function keyed<S extends SpanLike>(spans: readonly S[], paths: PathIds = new Map()): [number, Node<S>][] {
  const tree = buildTree(spans);
  const out: [number, Node<S>][] = [];
  const stack: [Node<S>, number][] = [];
  const pushLevel = (nodes: Node<S>[], parent: number) => {
    const seen = new Map<string, number>();
    const level = nodes.map((n) => {
      const k = (seen.get(n.span.name) ?? 0) + 1;
      seen.set(n.span.name, k);
      return [n, intern(paths, parent, n.span.name, k)] as [Node<S>, number];
    });
    for (let i = level.length - 1; i >= 0; i--) stack.push(level[i]!);
  };
  pushLevel(tree.roots, -1);
  while (stack.length) {
    const [node, key] = stack.pop()!;
    out.push([key, node]);
    pushLevel(node.children, key);
  }
  return out;
}

/** Rows of the comparison: A's spans in tree order (matched or missing), then spans only B has. */
export function compareSpans<S extends SpanLike>(a: readonly S[], b: readonly S[]): Compared<S>[] {
  const paths: PathIds = new Map();
  const inB = new Map(keyed(b, paths));
  const rows: Compared<S>[] = [];
  const used = new Set<number>();
  const row = (key: number, node: Node<S>, sa: S | null, sb: S | null): Compared<S> => ({
    key, depth: node.depth, name: node.span.name, a: sa, b: sb,
    durationMs: sa && sb ? (sb.end_time_unix_nano - sb.start_time_unix_nano - (sa.end_time_unix_nano - sa.start_time_unix_nano)) / 1e6 : null,
    tokens: sa && sb ? tokens(sb) - tokens(sa) : null,
    cost: sa && sb ? (sb.cost_usd ?? 0) - (sa.cost_usd ?? 0) : null,
  });
  for (const [key, node] of keyed(a, paths)) {
    const other = inB.get(key);
    if (other) used.add(key);
    rows.push(row(key, node, node.span, other?.span ?? null));
  }
  for (const [key, node] of inB) if (!used.has(key)) rows.push(row(key, node, null, node.span));
  return rows;
}

export type RowState = "matched" | "missing" | "added";

export function rowState<S extends SpanLike>(r: Compared<S>): RowState {
  return r.a && r.b ? "matched" : r.a ? "missing" : "added";
}

/** A row worth a look: only one side has it, or its duration, tokens or cost differ. */
export function differs<S extends SpanLike>(r: Compared<S>): boolean {
  return !(r.a && r.b) || r.durationMs !== 0 || r.tokens !== 0 || Math.abs(r.cost ?? 0) > 1e-12;
}

export function summary<S extends SpanLike>(rows: Compared<S>[]): { matched: number; missing: number; added: number } {
  const out = { matched: 0, missing: 0, added: 0 };
  for (const r of rows) out[rowState(r)] += 1;
  return out;
}
