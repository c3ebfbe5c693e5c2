// Several series over shared x categories (drift scores per window), points flagged in red; SVG.

export interface LineSeries { name: string; color: string; points: { x: string; y: number; flagged?: boolean }[] }

export function Lines({ series, label, max = 1 }: { series: LineSeries[]; label: string; max?: number }) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort();
  if (xs.length === 0) return <p className="muted">No runs yet.</p>;
  const W = 640, H = 150, pad = 6;
  const top = Math.max(max, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const ix = new Map(xs.map((x, i) => [x, i]));
  const x = (v: string) => pad + ((ix.get(v) ?? 0) * (W - 2 * pad)) / Math.max(1, xs.length - 1);
  const y = (v: number) => H - pad - (v / (top || 1)) * (H - 2 * pad);
  return (
    <figure className="viz" aria-label={label}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={label} preserveAspectRatio="none">
        {series.map((s) => (
          <g key={s.name}>
            <path d={s.points.map((p, i) => `${i ? "L" : "M"}${x(p.x)},${y(p.y)}`).join(" ")} fill="none" stroke={s.color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
            {s.points.map((p) => (
              // a zero-length round-capped stroke stays a circle however the chart is stretched
              <path key={p.x} d={`M${x(p.x)},${y(p.y)}l0,0`} stroke={p.flagged ? "var(--err)" : s.color} strokeWidth={p.flagged ? 9 : 6}
                strokeLinecap="round" vectorEffect="non-scaling-stroke">
                <title>{`${s.name} ${p.x}: ${p.y.toFixed(3)}${p.flagged ? " (drifted)" : ""}`}</title>
              </path>
            ))}
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        {series.map((s) => <span key={s.name}><i style={{ background: s.color }} aria-hidden="true" />{s.name}</span>)}
        <span className="muted">{new Date(xs[0]!).toLocaleString()} – {new Date(xs[xs.length - 1]!).toLocaleString()}</span>
      </figcaption>
    </figure>
  );
}
