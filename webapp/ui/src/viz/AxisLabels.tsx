// Category labels under a stretched SVG chart, as HTML so the text is never distorted: one equal
// column per bar, long labels cut with an ellipsis (the full text is the title).

export function AxisLabels({ labels }: { labels: string[] }) {
  return (
    <div className="viz-labels" style={{ gridTemplateColumns: `repeat(${labels.length}, minmax(0, 1fr))` }} aria-hidden="true">
      {labels.map((l, i) => <span key={i} title={l}>{l}</span>)}
    </div>
  );
}
