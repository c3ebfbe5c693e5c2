import { describe, expect, it } from "vitest";
import { dailyCost, rangeOf, tokenLayers } from "./shape";

describe("tokenLayers", () => {
  it("splits cached input and reasoning out so the stack adds up to input + output", () => {
    const rows = [
      { key: { day: "2026-01-02" }, input_tokens: 1000, cache_read_tokens: 300, cache_creation_tokens: 100, output_tokens: 500, reasoning_tokens: 200 },
      { key: { day: "2026-01-01" }, input_tokens: "50", output_tokens: 7 },
      { key: { day: "2026-01-02" }, input_tokens: 10, output_tokens: 0 },
    ];
    const s = tokenLayers(rows);
    expect(s.categories).toEqual(["2026-01-01", "2026-01-02"]);
    const byName = Object.fromEntries(s.layers.map((l) => [l.name, l.values]));
    expect(byName["Input"]).toEqual([50, 610]);
    expect(byName["Cached input"]).toEqual([0, 400]);
    expect(byName["Output"]).toEqual([7, 300]);
    expect(byName["Reasoning"]).toEqual([0, 200]);
    expect(s.max).toBe(1510);
  });

  it("ignores rows without a day and never produces negative layers", () => {
    const s = tokenLayers([{ key: {}, input_tokens: 5 }, { key: { day: "2026-01-01" }, input_tokens: 1, cache_read_tokens: 4 }]);
    expect(s.categories).toEqual(["2026-01-01"]);
    expect(s.layers[0]!.values).toEqual([0]);
    expect(s.layers[1]!.values).toEqual([4]);
  });
});

describe("dailyCost", () => {
  it("fills days without spend and reads the most exact cost field each row has", () => {
    const out = dailyCost(
      [
        { period: "2026-01-03", cost_micros: 0, cost_usd: 1.8e-7, cost_usd_exact: "0.000000180000" }, // under a micro-dollar
        { period: "2026-01-03", cost_micros: 1_500_000 }, // micro-dollars only
        { period: "2026-01-01T00:00:00Z", cost_usd: 0.25 },
      ],
      new Date("2026-01-01T10:00:00Z"), new Date("2026-01-04T00:00:00Z"),
    );
    expect(out).toEqual([{ day: "2026-01-01", usd: 0.25 }, { day: "2026-01-02", usd: 0 }, { day: "2026-01-03", usd: 1.5 + 1.8e-7 }]);
  });
});

describe("rangeOf", () => {
  it("falls back to 7 days for unknown names", () => {
    const now = new Date("2026-05-01T12:00:00Z");
    const r = rangeOf("bogus", now);
    expect(r.name).toBe("7d");
    expect(r.end.getTime() - r.start.getTime()).toBe(7 * 86_400_000);
  });
});
