import { describe, expect, it } from "vitest";
import { heatmap, severityColor, typeSeries } from "./shape";

const p = (window_end: string, drift_type: string, feature: string, severity: number, extra = {}) =>
  ({ window_end, drift_type, feature, severity, score: severity, is_drifted: severity > 0.5, threshold: 0.1, ...extra });

describe("heatmap", () => {
  it("puts windows in time order and the most drifted features first", () => {
    const h = heatmap([
      p("2026-01-02T00:00:00Z", "feature", "age", 0.2),
      p("2026-01-01T00:00:00Z", "feature", "income", 0.1),
      p("2026-01-02T00:00:00Z", "feature", "income", 0.9),
      p("2026-01-02T00:00:00Z", "feature", "", 0.4),
      p("2026-01-02T00:00:00Z", "prediction", "", 0.7),
    ]);
    expect(h.windows).toEqual(["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]);
    expect(h.features).toEqual(["income", "age"]);
    expect(h.cells).toEqual([[0.1, 0.9], [null, 0.2]]);
    expect(h.drifted).toEqual([[false, true], [false, false]]);
  });

  it("keeps the worst severity of a re-run window", () => {
    const h = heatmap([p("w1", "feature", "x", 0.3), p("w1", "feature", "x", 0.6), p("w1", "feature", "x", 0.2)]);
    expect(h.cells).toEqual([[0.6]]);
    expect(h.drifted).toEqual([[true]]);
  });
});

describe("typeSeries", () => {
  it("keeps model-level rows only, one series per type, oldest first", () => {
    const s = typeSeries([
      p("w2", "feature", "", 0.4), p("w1", "feature", "", 0.1), p("w1", "feature", "age", 0.9),
      p("w2", "prediction", "", 0.8), { window_end: "w3", drift_type: "concept", feature: "", score: null },
    ]);
    expect(s.map((t) => t.type)).toEqual(["feature", "prediction"]);
    expect(s[0]!.points.map((x) => [x.window, x.score])).toEqual([["w1", 0.1], ["w2", 0.4]]);
    expect(s[1]!.points[0]!.drifted).toBe(true);
  });
});

describe("severityColor", () => {
  it("runs from green through amber to red and is blank when unscored", () => {
    expect(severityColor(null)).toBe("transparent");
    expect(severityColor(0)).toBe("hsl(130 75% 52%)");
    expect(severityColor(0.5)).toBe("hsl(45 75% 52%)");
    expect(severityColor(1)).toBe("hsl(0 75% 48%)");
  });
});
