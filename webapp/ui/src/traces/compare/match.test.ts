import { expect, test } from "vitest";
import { decodeOutline, type OutlineBody } from "../../pages/TraceDetail/outline";
import type { SpanLike } from "../waterfall/layout";
import { compareSpans, differs, rowState, summary } from "./match";

function span(id: string, parent: string, name: string, start: number, end: number, extra: Partial<SpanLike> = {}): SpanLike {
  return {
    span_id: id, parent_span_id: parent, name, service_name: "svc", start_time_unix_nano: start, end_time_unix_nano: end,
    status_code: "ok", total_tokens: null, input_tokens: null, output_tokens: null, cost_usd: null, ...extra,
  };
}

// A: root → [chat (100 tok), chat (50 tok), retrieve]
// B: root → [chat (120 tok), chat (50 tok), rerank]   (ids differ between traces; names carry identity)
const A = [
  span("a0", "", "root", 0, 1_000_000_000),
  span("a1", "a0", "chat", 10, 200_000_000, { total_tokens: 100, cost_usd: 0.01 }),
  span("a2", "a0", "chat", 300_000_000, 400_000_000, { total_tokens: 50 }),
  span("a3", "a0", "retrieve", 500_000_000, 600_000_000),
];
const B = [
  span("b0", "", "root", 0, 1_500_000_000),
  span("b1", "b0", "chat", 10, 400_000_000, { total_tokens: 120, cost_usd: 0.015 }),
  span("b2", "b0", "chat", 500_000_000, 600_000_000, { total_tokens: 50 }),
  span("b4", "b0", "rerank", 700_000_000, 800_000_000),
];

const pairs = (rows: ReturnType<typeof compareSpans>) => rows.map((r) => [r.name, r.a?.span_id ?? null, r.b?.span_id ?? null]);

test("spans pair by path and order among same-named siblings; the rest are missing or added", () => {
  const rows = compareSpans(A, B);
  expect(pairs(rows)).toEqual([
    ["root", "a0", "b0"],
    ["chat", "a1", "b1"],
    ["chat", "a2", "b2"],
    ["retrieve", "a3", null],
    ["rerank", null, "b4"],
  ]);
  expect(rows.map(rowState)).toEqual(["matched", "matched", "matched", "missing", "added"]);
  expect(summary(rows)).toEqual({ matched: 3, missing: 1, added: 1 });
});

test("the same name under a different parent is a different span", () => {
  const a = [span("r", "", "root", 0, 10), span("x", "r", "agent", 0, 5), span("c", "x", "chat", 0, 1)];
  const b = [span("r", "", "root", 0, 10), span("y", "r", "planner", 0, 5), span("c", "y", "chat", 0, 1)];
  expect(pairs(compareSpans(a, b))).toEqual([
    ["root", "r", "r"], ["agent", "x", null], ["chat", "c", null], ["planner", null, "y"], ["chat", null, "c"],
  ]);
});

test("differences are B minus A", () => {
  const [root, chat1, chat2, missing] = compareSpans(A, B);
  expect(root!.durationMs).toBe(500);
  expect(chat1!.durationMs).toBe(200);
  expect(chat1!.tokens).toBe(20);
  expect(chat1!.cost).toBeCloseTo(0.005, 10);
  expect(chat2!.tokens).toBe(0);
  expect(missing!.durationMs).toBeNull();
  expect(compareSpans(A, B).filter(differs).map((r) => r.name)).toEqual(["root", "chat", "retrieve", "rerank"]); // the second chat is the same
});

test("a trace compared with itself matches every span with no difference", () => {
  const rows = compareSpans(A, A);
  expect(summary(rows)).toEqual({ matched: 4, missing: 0, added: 0 });
  expect(rows.every((r) => r.durationMs === 0 && r.tokens === 0)).toBe(true);
  expect(rows.filter(differs)).toEqual([]);
});

/** An outline body as GET /traces/{id}/outline sends it: a chain root → s1 → … of `n` spans. */
function chainOutline(n: number, tokensOf: (i: number) => number, costUsd: number): OutlineBody {
  const ids = Array.from({ length: n }, (_, i) => i.toString(16).padStart(16, "0"));
  return {
    trace: {} as OutlineBody["trace"], span_count: n, returned: n, truncated: false, limit: n, base_unix_nano: 1_700_000_000_000_000_000,
    names: ["root", "step"], services: ["svc"], models: [""],
    spans: {
      span_id: ids, parent: ids.map((_, i) => i - 1), name: ids.map((_, i) => (i === 0 ? 0 : 1)), service: ids.map(() => 0),
      model: ids.map(() => 0), start: ids.map((_, i) => i * 1000), duration: ids.map((_, i) => (n - i) * 2000), error: ids.map(() => 0),
      input_tokens: ids.map(() => null), output_tokens: ids.map(() => null), total_tokens: ids.map((_, i) => tokensOf(i)),
      cost_usd: ids.map(() => costUsd), duplicate: ids.map(() => 0),
    },
  };
}

test("outlines of deep traces compare span by span (the comparison page reads outlines)", () => {
  const n = 20_000; // deeper than any recursion would survive
  const a = decodeOutline(chainOutline(n, () => 10, 0.001));
  const b = decodeOutline(chainOutline(n + 1, (i) => (i === 7 ? 15 : 10), 0.0015));
  const rows = compareSpans(a, b);
  expect(summary(rows)).toEqual({ matched: n, missing: 0, added: 1 });
  expect(rows[n]!.b!.span_id).toBe(n.toString(16).padStart(16, "0"));
  expect(rows[n]!.depth).toBe(n);
  // durations: A's span i lasts (n - i) × 2 µs, B's (n + 1 - i) × 2 µs: every matched span is 0.002 ms longer
  expect(rows.slice(0, n).every((r) => Math.abs(r.durationMs! - 0.002) < 1e-9)).toBe(true);
  expect(rows[7]!.tokens).toBe(5);
  expect(rows[8]!.tokens).toBe(0);
  expect(rows[3]!.cost).toBeCloseTo(0.0005, 12); // $0.0015 − $0.001
});
