import { expect, test } from "vitest";
import type { SpanLike } from "../waterfall/layout";
import { compareSpans, summary } from "./match";

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

test("spans pair by path and order among same-named siblings; the rest are missing or added", () => {
  const rows = compareSpans(A, B);
  expect(rows.map((r) => [r.key, r.a?.span_id ?? null, r.b?.span_id ?? null])).toEqual([
    ["/root#1", "a0", "b0"],
    ["/root#1/chat#1", "a1", "b1"],
    ["/root#1/chat#2", "a2", "b2"],
    ["/root#1/retrieve#1", "a3", null],
    ["/root#1/rerank#1", null, "b4"],
  ]);
  expect(summary(rows)).toEqual({ matched: 3, missing: 1, added: 1 });
});

test("differences are B minus A", () => {
  const [root, chat1, chat2, missing] = compareSpans(A, B);
  expect(root!.durationMs).toBe(500);
  expect(chat1!.durationMs).toBe(200);
  expect(chat1!.tokens).toBe(20);
  expect(chat1!.cost).toBeCloseTo(0.005, 10);
  expect(chat2!.tokens).toBe(0);
  expect(missing!.durationMs).toBeNull();
});

test("a trace compared with itself matches every span with no difference", () => {
  const rows = compareSpans(A, A);
  expect(summary(rows)).toEqual({ matched: 4, missing: 0, added: 0 });
  expect(rows.every((r) => r.durationMs === 0 && r.tokens === 0)).toBe(true);
});
