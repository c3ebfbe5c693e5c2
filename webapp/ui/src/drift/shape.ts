// Drift history shaped for the page: a feature × window heatmap of severities and one score
// series per drift type, both oldest window first.

export interface Point {
  run_id?: string; window_end: string; drift_type: string; feature?: string | null;
  score?: number | null; severity?: number | null; is_drifted?: boolean; threshold?: number | null;
}

export interface Heatmap {
  windows: string[];
  features: string[];
  /** cells[feature][window]: severity 0-1 (0.5 is the threshold), null when not scored */
  cells: (number | null)[][];
  drifted: boolean[][];
}

export function heatmap(points: Point[]): Heatmap {
  const rows = points.filter((p) => p.drift_type === "feature" && p.feature);
  const windows = [...new Set(rows.map((p) => p.window_end))].sort();
  const wIndex = new Map(windows.map((w, i) => [w, i]));
  // most drifted first, then by name, so the rows that matter are on top
  const worst = new Map<string, number>();
  for (const p of rows) worst.set(p.feature!, Math.max(worst.get(p.feature!) ?? 0, p.severity ?? 0));
  const features = [...worst.keys()].sort((a, b) => (worst.get(b)! - worst.get(a)!) || a.localeCompare(b));
  const fIndex = new Map(features.map((f, i) => [f, i]));
  const cells = features.map(() => windows.map((): number | null => null));
  const drifted = features.map(() => windows.map(() => false));
  for (const p of rows) {
    const f = fIndex.get(p.feature!)!, w = wIndex.get(p.window_end)!;
    // a re-run of a window: keep the highest severity seen
    cells[f]![w] = Math.max(cells[f]![w] ?? 0, p.severity ?? 0);
    drifted[f]![w] = drifted[f]![w]! || !!p.is_drifted;
  }
  return { windows, features, cells, drifted };
}

export interface TypeSeries { type: string; points: { window: string; score: number; drifted: boolean; threshold: number | null }[] }

/** The model-level score of each drift type per window (rows without a feature). */
export function typeSeries(points: Point[]): TypeSeries[] {
  const byType = new Map<string, Map<string, { window: string; score: number; drifted: boolean; threshold: number | null }>>();
  for (const p of points) {
    if (p.feature || p.score === null || p.score === undefined) continue;
    const series = byType.get(p.drift_type) ?? new Map();
    series.set(p.window_end, { window: p.window_end, score: p.score, drifted: !!p.is_drifted, threshold: p.threshold ?? null });
    byType.set(p.drift_type, series);
  }
  return [...byType.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([type, m]) => ({ type, points: [...m.values()].sort((a, b) => a.window.localeCompare(b.window)) }));
}

/** A colour from green (0) through amber (0.5, the threshold) to red (1). */
export function severityColor(severity: number | null): string {
  if (severity === null) return "transparent";
  const s = Math.max(0, Math.min(1, severity));
  const hue = s <= 0.5 ? 130 - (s / 0.5) * 85 : 45 - ((s - 0.5) / 0.5) * 45;
  return `hsl(${Math.round(hue)} 75% ${s > 0.5 ? 48 : 52}%)`;
}
