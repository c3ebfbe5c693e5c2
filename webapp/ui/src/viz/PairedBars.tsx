// Two distributions side by side per bin (reference vs current shares), in SVG.
import { AxisLabels } from "./AxisLabels";

export function PairedBars({ labels, a, b, names, label }: { labels: string[]; a: number[]; b: number[]; names: [string, string]; label: string }) {
  if (labels.length === 0) return <p className="muted">No distribution recorded.</p>;
  const W = Math.max(360, labels.length * 44), H = 150;
  const band = W / labels.length, bar = Math.min(18, band * 0.38);
  const max = Math.max(1e-9, ...a, ...b);
  const h = (v: number) => (v / max) * (H - 8);
  return (
    <figure className="viz" aria-label={label}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={label} preserveAspectRatio="none">
        {labels.map((l, i) => {
          const va = a[i] ?? 0, vb = b[i] ?? 0, cx = i * band + band / 2;
          return (
            <g key={`${l}-${i}`}>
              <rect x={cx - bar - 1} y={H - h(va)} width={bar} height={h(va)} fill="#94a3b8"><title>{`${l} ${names[0]}: ${(va * 100).toFixed(1)}%`}</title></rect>
              <rect x={cx + 1} y={H - h(vb)} width={bar} height={h(vb)} fill="#ea580c"><title>{`${l} ${names[1]}: ${(vb * 100).toFixed(1)}%`}</title></rect>
            </g>
          );
        })}
      </svg>
      <AxisLabels labels={labels} />
      <figcaption className="legend">
        <span><i style={{ background: "#94a3b8" }} aria-hidden="true" />{names[0]}</span>
        <span><i style={{ background: "#ea580c" }} aria-hidden="true" />{names[1]}</span>
      </figcaption>
    </figure>
  );
}
