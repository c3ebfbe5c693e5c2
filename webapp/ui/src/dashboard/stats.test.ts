import { describe, expect, it } from "vitest";
import { percentile, traceStats } from "./stats";

describe("percentile", () => {
  it("is the nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.95)).toBe(95);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe("traceStats", () => {
  it("counts errors by status or failed spans and ranks services by requests", () => {
    const s = traceStats([
      { duration_ms: 10, status: "ok", service_name: "a" },
      { duration_ms: 30, status: "error", service_name: "b" },
      { duration_ms: 20, status: "ok", service_name: "b", error_count: 1 },
      { duration_ms: 40, status: "ok", service_name: "b" },
    ]);
    expect(s.requests).toBe(4);
    expect(s.errors).toBe(2);
    expect(s.errorRate).toBe(0.5);
    expect(s.p50).toBe(20);
    expect(s.p95).toBe(40);
    expect(s.services.map((x) => [x.name, x.requests, x.errors])).toEqual([["b", 3, 2], ["a", 1, 0]]);
  });
});
