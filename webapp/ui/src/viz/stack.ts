// Shaping rows into stacked layers: one value per (category, layer), gaps filled with zero.

export interface StackedSeries {
  categories: string[];
  layers: { name: string; color: string; values: number[] }[];
  /** the tallest stack */
  max: number;
}

export function stack<T>(
  rows: T[],
  category: (row: T) => string,
  layers: { name: string; color: string; value: (row: T) => number }[],
): StackedSeries {
  const categories = [...new Set(rows.map(category))].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  const out = layers.map((l) => ({ name: l.name, color: l.color, values: categories.map(() => 0) }));
  for (const row of rows) {
    const i = index.get(category(row))!;
    layers.forEach((l, j) => {
      const v = l.value(row);
      if (Number.isFinite(v) && v > 0) out[j]!.values[i]! += v;
    });
  }
  let max = 0;
  categories.forEach((_, i) => {
    max = Math.max(max, out.reduce((sum, l) => sum + (l.values[i] ?? 0), 0));
  });
  return { categories, layers: out, max };
}
