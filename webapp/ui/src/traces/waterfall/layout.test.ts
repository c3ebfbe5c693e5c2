import { describe, expect, test } from "vitest";
import { buildTree, collapsedAncestors, criticalPath, rollUp, searchSpans, ticks, visibleRows, type SpanLike } from "./layout";

function span(id: string, parent: string, start: number, end: number, extra: Partial<SpanLike> = {}): SpanLike {
  return {
    span_id: id, parent_span_id: parent, name: `op ${id}`, service_name: "svc", start_time_unix_nano: start,
    end_time_unix_nano: end, status_code: "ok", total_tokens: null, input_tokens: null, output_tokens: null,
    cost_usd: null, ...extra,
  };
}

//  root  [0 ............................ 100]
//   a     [5 ..... 40]
//    a1     [10 . 30]
//   b         [20 ........... 70]        (parallel with a, ends later)
//   c                          [72 ...... 95]
//   d     [6 . 15]                         (short, parallel, off the path)
const SPANS = [
  span("c", "root", 72, 95), span("root", "", 0, 100), span("a1", "a", 10, 30), span("a", "root", 5, 40),
  span("b", "root", 20, 70, { status_code: "error" }), span("d", "root", 6, 15),
];

describe("tree and rows", () => {
  test("children nest under parents in start order, depths follow", () => {
    const tree = buildTree(SPANS);
    expect(tree.roots.map((r) => r.span.span_id)).toEqual(["root"]);
    const rows = visibleRows(tree, new Set());
    expect(rows.map((r) => [r.node.span.span_id, r.node.depth])).toEqual([
      ["root", 0], ["a", 1], ["a1", 2], ["d", 1], ["b", 1], ["c", 1],
    ]);
    expect([tree.start, tree.end]).toEqual([0, 100]);
  });
  test("collapsing hides descendants and counts them", () => {
    const rows = visibleRows(buildTree(SPANS), new Set(["a"]));
    expect(rows.map((r) => r.node.span.span_id)).toEqual(["root", "a", "d", "b", "c"]);
    expect(rows[1]!.hidden).toBe(1);
    expect(visibleRows(buildTree(SPANS), new Set(["root"])).map((r) => r.hidden)).toEqual([5]);
  });
  test("missing parents and cycles make roots, never loops", () => {
    const tree = buildTree([span("x", "y", 0, 1), span("y", "x", 1, 2), span("z", "gone", 2, 3)]);
    const ids = visibleRows(tree, new Set()).map((r) => r.node.span.span_id).sort();
    expect(ids).toEqual(["x", "y", "z"]);
    expect(tree.roots.length).toBe(2);
  });
  test("a 100,000-deep chain is laid out without recursion", () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : "", i, 200_000 - i));
    const rows = visibleRows(buildTree(chain), new Set());
    expect(rows.length).toBe(100_000);
    expect(rows[99_999]!.node.depth).toBe(99_999);
  });
});

describe("critical path", () => {
  test("follows the work that ended each span, not the parallel work that finished early", () => {
    expect([...criticalPath(buildTree(SPANS))].sort()).toEqual(["a", "a1", "b", "c", "root"]);
  });
  test("a child that outlives its parent still counts", () => {
    const tree = buildTree([span("p", "", 0, 10), span("late", "p", 5, 20), span("early", "p", 1, 3)]);
    expect([...criticalPath(tree)].sort()).toEqual(["early", "late", "p"]);
  });
  test("sequential children are all on the path", () => {
    const tree = buildTree([span("p", "", 0, 30), span("1", "p", 0, 10), span("2", "p", 10, 20), span("3", "p", 20, 30)]);
    expect(criticalPath(tree).size).toBe(4);
  });
});

test("tokens, cost and errors roll up the tree", () => {
  const tree = buildTree([
    span("r", "", 0, 10), span("l1", "r", 1, 2, { total_tokens: 100, cost_usd: 0.5 }),
    span("l2", "r", 2, 3, { input_tokens: 7, output_tokens: 3, cost_usd: 0.25, status_code: "error" }),
  ]);
  const totals = rollUp(tree);
  expect(totals.get("r")).toEqual({ tokens: 110, cost: 0.75, errors: 1, spans: 3 });
  expect(totals.get("l2")).toEqual({ tokens: 10, cost: 0.25, errors: 1, spans: 1 });
});

test("search matches names, services and attribute values; hidden hits name their collapsed ancestors", () => {
  const spans: (SpanLike & { attributes: Record<string, string> })[] = [
    { ...span("r", "", 0, 10), attributes: {} },
    { ...span("x", "r", 1, 2), attributes: { "http.url": "https://API.example/v1" } },
    { ...span("y", "x", 1, 2, { name: "retrieve docs" }), attributes: {} },
  ];
  const tree = buildTree(spans);
  expect([...searchSpans(tree, "api.example")]).toEqual(["x"]);
  expect([...searchSpans(tree, "RETRIEVE")]).toEqual(["y"]);
  expect(searchSpans(tree, "  ").size).toBe(0);
  expect(collapsedAncestors(tree, "y", new Set(["r", "x"]))).toEqual(["x", "r"]);
});

test("ruler ticks are round steps covering the duration", () => {
  expect(ticks(1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
  expect(ticks(7_300_000, 6)).toEqual([0, 2_000_000, 4_000_000, 6_000_000]);
});
