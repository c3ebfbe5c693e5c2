import { formatDuration } from "../format";
import { ticks } from "./layout";
import type { View } from "./Minimap";

/** Time labels over the bar area for the shown window. */
export function Ruler({ view }: { view: View }) {
  const span = Math.max(1, view.end - view.start);
  return (
    <div className="ruler" aria-hidden="true">
      {ticks(span).map((t) => (
        <span key={t} className="tick" style={{ left: `${(t / span) * 100}%` }}>{formatDuration((view.start + t) / 1e6)}</span>
      ))}
    </div>
  );
}
