// Matching the spans of two traces: a span's identity is its path of names from the root plus its
// position among same-named siblings ("handle/agent/chat gpt-4o#2"), so repeated calls pair up in
// order. Unmatched spans of A are missing in B; unmatched spans of B were added.
import { buildTree, type Node, type SpanLike } from "../waterfall/layout";

export interface Compared<S extends SpanLike> {
  key: string;
  depth: number;
  name: string;
  a: S | null;
  b: S | null;
  /** B − A; null when one side is missing */
  durationMs: number | null;
  tokens: number | null;
  cost: number | null;
}

const tokens = (s: SpanLike) => s.total_tokens ?? (s.input_tokens ?? 0) + (s.output_tokens ?? 0);

/** key → span, in depth-first order. */
export function keyed<S extends SpanLike>(spans: readonly S[]): [string, Node<S>][] {
  const tree = buildTree(spans);
  const out: [string, Node<S>][] = [];
  const stack: [Node<S>, string][] = [];
  const pushLevel = (nodes: Node<S>[], prefix: string) => {
    const seen = new Map<string, number>();
    const level = nodes.map((n) => {
      const k = (seen.get(n.span.name) ?? 0) + 1;
      seen.set(n.span.name, k);
      return [n, `${prefix}/${n.span.name}#${k}`] as [Node<S>, string];
    });
    for (let i = level.length - 1; i >= 0; i--) stack.push(level[i]!);
  };
  pushLevel(tree.roots, "");
  while (stack.length) {
    const [node, key] = stack.pop()!;
    out.push([key, node]);
    pushLevel(node.children, key);
  }
  return out;
}

/** Rows of the comparison: A's spans in tree order (matched or missing), then spans only B has. */
export function compareSpans<S extends SpanLike>(a: readonly S[], b: readonly S[]): Compared<S>[] {
  const inB = new Map(keyed(b));
  const rows: Compared<S>[] = [];
  const used = new Set<string>();
  const row = (key: string, node: Node<S>, sa: S | null, sb: S | null): Compared<S> => ({
    key, depth: node.depth, name: node.span.name, a: sa, b: sb,
    durationMs: sa && sb ? (sb.end_time_unix_nano - sb.start_time_unix_nano - (sa.end_time_unix_nano - sa.start_time_unix_nano)) / 1e6 : null,
    tokens: sa && sb ? tokens(sb) - tokens(sa) : null,
    cost: sa && sb ? (sb.cost_usd ?? 0) - (sa.cost_usd ?? 0) : null,
  });
  for (const [key, node] of keyed(a)) {
    const other = inB.get(key);
    if (other) used.add(key);
    rows.push(row(key, node, node.span, other?.span ?? null));
  }
  for (const [key, node] of inB) if (!used.has(key)) rows.push(row(key, node, null, node.span));
  return rows;
}

export function summary<S extends SpanLike>(rows: Compared<S>[]): { matched: number; missing: number; added: number } {
  return {
    matched: rows.filter((r) => r.a && r.b).length,
    missing: rows.filter((r) => r.a && !r.b).length,
    added: rows.filter((r) => !r.a && r.b).length,
  };
}
