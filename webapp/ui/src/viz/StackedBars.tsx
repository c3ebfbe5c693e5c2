// Stacked vertical bars in SVG (a few dozen bars: no chart library needed), with a legend and an
// accessible table-like description.
import { AxisLabels } from "./AxisLabels";
import type { StackedSeries } from "./stack";

const HEIGHT = 180;

export function StackedBars({ data, label, format = String }: { data: StackedSeries; label: string; format?: (n: number) => string }) {
  const { categories, layers, max } = data;
  if (categories.length === 0) return <p className="muted">No data in this range.</p>;
  const width = Math.max(320, categories.length * 28);
  const band = width / categories.length;
  const bar = Math.min(36, band * 0.7);
  const scale = max > 0 ? (HEIGHT - 10) / max : 0;
  return (
    <figure className="viz" aria-label={label}>
      <svg viewBox={`0 0 ${width} ${HEIGHT}`} width="100%" height={HEIGHT} role="img" aria-label={label} preserveAspectRatio="none">
        {categories.map((cat, i) => {
          let y = HEIGHT;
          return (
            <g key={cat}>
              {layers.map((layer) => {
                const v = layer.values[i] ?? 0;
                const h = v * scale;
                y -= h;
                return v > 0 ? (
                  <rect key={layer.name} x={i * band + (band - bar) / 2} y={y} width={bar} height={h} fill={layer.color}>
                    <title>{`${cat} · ${layer.name}: ${format(v)}`}</title>
                  </rect>
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <AxisLabels labels={categories.map((c, i) => (categories.length <= 16 || i % Math.ceil(categories.length / 12) === 0 ? c.slice(5) : ""))} />
      <figcaption className="legend">
        {layers.map((l) => (
          <span key={l.name}><i style={{ background: l.color }} aria-hidden="true" />{l.name} {format(l.values.reduce((a, b) => a + b, 0))}</span>
        ))}
      </figcaption>
    </figure>
  );
}
