// The rule's metric over the last day, one line per series, with the threshold as a dashed line
// (points beyond it marked); SVG, at most 48 points × 20 series.
import type { RulePreview } from "./api";

const COLORS = ["#3b82f6", "#f59e0b", "#10b981", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316", "#64748b"];
const OPS: Record<string, (a: number, b: number) => boolean> = {
  ">": (a, b) => a > b, ">=": (a, b) => a >= b, "<": (a, b) => a < b, "<=": (a, b) => a <= b, "==": (a, b) => a === b, "!=": (a, b) => a !== b,
};

export function PreviewChart({ preview }: { preview: RulePreview }) {
  const W = 640, H = 160, pad = 8;
  const points = preview.series[0]?.points ?? [];
  const values = preview.series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null && v !== undefined);
  const line = preview.threshold ?? null;
  if (!values.length) return <p className="muted" data-testid="preview-empty">No data for this metric in the last day.</p>;
  const top = Math.max(...values, line ?? -Infinity), bottom = Math.min(0, ...values, line ?? Infinity);
  const span = top - bottom || 1;
  const x = (i: number) => pad + (i * (W - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (v: number) => H - pad - ((v - bottom) / span) * (H - 2 * pad);
  const fires = (v: number) => line !== null && !!preview.operator && !!OPS[preview.operator]?.(v, line);
  const label = `${preview.metric} over ${preview.window}, last 24 hours${line !== null ? `, threshold ${preview.operator} ${line}` : ""}`;
  return (
    <figure className="viz" aria-label={label} data-testid="rule-preview">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={label} preserveAspectRatio="none">
        {line !== null && <line x1={0} x2={W} y1={y(line)} y2={y(line)} stroke="var(--err)" strokeDasharray="6 4" vectorEffect="non-scaling-stroke" data-testid="threshold-line" />}
        {preview.series.map((s, k) => {
          const color = COLORS[k % COLORS.length]!;
          const d = s.points.map((p, i) => (p.value === null || p.value === undefined ? null : `${x(i)},${y(p.value)}`))
            .reduce<string>((acc, xy, i, all) => (xy === null ? acc : `${acc}${i === 0 || all[i - 1] === null ? "M" : "L"}${xy}`), "");
          return (
            <g key={k}>
              <path d={d} fill="none" stroke={color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
              {s.points.map((p, i) => p.value === null || p.value === undefined ? null : (
                <path key={i} d={`M${x(i)},${y(p.value)}l0,0`} stroke={fires(p.value) ? "var(--err)" : color} strokeWidth={fires(p.value) ? 8 : 5}
                  strokeLinecap="round" vectorEffect="non-scaling-stroke"><title>{`${new Date(p.end).toLocaleString()}: ${p.value}`}</title></path>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {preview.series.map((s, k) => (
          <span key={k}><i style={{ background: COLORS[k % COLORS.length] }} aria-hidden="true" />
            {Object.entries(s.labels).map(([a, b]) => `${a}=${b}`).join(", ") || preview.metric}</span>
        ))}
        {line !== null && <span>threshold {preview.operator} {line}</span>}
        {preview.truncated && <span className="muted">showing the 20 series with the highest peaks</span>}
        <span className="muted">each point: {preview.metric} over {preview.window}; last 24 h, top {num(top)}</span>
      </figcaption>
    </figure>
  );
}

function num(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? v.toLocaleString("en-US") : v.toPrecision(3);
}
