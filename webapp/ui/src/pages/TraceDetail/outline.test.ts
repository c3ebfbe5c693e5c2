import { expect, test } from "vitest";
import { buildTree, rollUp, visibleRows } from "../../traces/waterfall/layout";
import { decodeOutline, type OutlineBody } from "./outline";

// three spans: a root, a child with a model, and an orphan whose parent lies beyond the outline
const body = {
  span_count: 4, returned: 3, truncated: true, limit: 3, base_unix_nano: 1_700_000_000_000_000_000,
  names: ["root", "chat", "late"], services: ["api", "llm"], models: ["", "gpt-4o"],
  spans: {
    span_id: ["a", "b", "c"], parent: [-1, 0, -1], name: [0, 1, 2], service: [0, 1, 0], model: [0, 1, 0],
    start: [0, 5_000_000, 9_000_000], duration: [20_000_000, 3_000_000, 1_000],
    error: [0, 1, 0], input_tokens: [null, 10, null], output_tokens: [null, 4, null], total_tokens: [null, null, null],
    cost_usd: [null, 0.0025, null], duplicate: [0, 0, 0],
  },
} as unknown as OutlineBody;

test("columns decode into spans with names, parents and times after the trace start", () => {
  const spans = decodeOutline(body);
  expect(spans.map((s) => [s.span_id, s.parent_span_id, s.name, s.service_name, s.model_id])).toEqual([
    ["a", "", "root", "api", ""], ["b", "a", "chat", "llm", "gpt-4o"], ["c", "", "late", "api", ""],
  ]);
  expect(spans[1]).toMatchObject({ start_time_unix_nano: 5_000_000, end_time_unix_nano: 8_000_000, duration_ms: 3,
    status_code: "error", cost_usd: 0.0025, input_tokens: 10, total_tokens: null });
});

test("the decoded outline nests and rolls tokens and cost up the tree", () => {
  const tree = buildTree(decodeOutline(body));
  expect(visibleRows(tree, new Set()).map((r) => [r.node.span.span_id, r.node.depth])).toEqual([["a", 0], ["b", 1], ["c", 0]]);
  const totals = rollUp(tree).get("a")!;
  expect(totals).toEqual({ tokens: 14, cost: 0.0025, errors: 1, spans: 2 });
});

test("a duplicate of a traced provider call adds no cost to the roll-up", () => {
  const twice = { ...body, spans: { ...body.spans, parent: [-1, 0, 0], cost_usd: [null, 0.0025, 0.0025], duplicate: [0, 0, 1] } };
  const totals = rollUp(buildTree(decodeOutline(twice as OutlineBody))).get("a")!;
  expect(totals.cost).toBe(0.0025);
  expect(totals.spans).toBe(3);
});
