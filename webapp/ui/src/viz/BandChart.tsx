// A line with a shaded band (a forecast and its interval) after a history line, in SVG.

export interface BandPoint { x: string; mean: number; lower?: number; upper?: number }

export function BandChart({ history, forecast, label, format }: {
  history: BandPoint[]; forecast: BandPoint[]; label: string; format: (n: number) => string;
}) {
  const all = [...history, ...forecast];
  if (all.length === 0) return <p className="muted">No history to forecast from.</p>;
  const W = 640, H = 180, pad = 4;
  const max = Math.max(1e-12, ...all.map((p) => Math.max(p.mean, p.upper ?? p.mean)));
  const x = (i: number) => pad + (i * (W - 2 * pad)) / Math.max(1, all.length - 1);
  const y = (v: number) => H - pad - (v / max) * (H - 2 * pad);
  const line = (pts: BandPoint[], offset: number) => pts.map((p, i) => `${i ? "L" : "M"}${x(i + offset)},${y(p.mean)}`).join(" ");
  const off = history.length;
  const band = forecast.length
    ? `M${forecast.map((p, i) => `${x(i + off)},${y(p.upper ?? p.mean)}`).join(" L")} L${[...forecast].reverse()
      .map((p, i) => `${x(off + forecast.length - 1 - i)},${y(p.lower ?? p.mean)}`).join(" L")} Z`
    : "";
  return (
    <figure className="viz" aria-label={label}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={label} preserveAspectRatio="none">
        {band && <path d={band} className="viz-band" />}
        {history.length > 0 && <path d={line(history, 0)} className="viz-line" />}
        {forecast.length > 0 && <path d={line(forecast, off)} className="viz-line viz-forecast" />}
      </svg>
      <figcaption className="legend small muted">
        {history.length > 0 && <span>history {history[0]!.x} – {history[history.length - 1]!.x}</span>}
        {forecast.length > 0 && <span>forecast to {forecast[forecast.length - 1]!.x}, peak {format(max)}</span>}
      </figcaption>
    </figure>
  );
}
