// The feature × window heatmap as a table: one row per feature, one cell per window, coloured by
// severity (the title and the screen-reader text say the number).
import type { Heatmap } from "./shape";
import { severityColor } from "./shape";

export function HeatmapView({ map }: { map: Heatmap }) {
  const shown = map.windows.slice(-40);
  const offset = map.windows.length - shown.length;
  return (
    <div style={{ overflowX: "auto" }}>
      <table className="heatmap" aria-label="Drift severity per feature and window">
        <thead>
          <tr><th scope="col">feature</th>{shown.map((w) => <th key={w} scope="col"><span className="sr-only">{w}</span></th>)}</tr>
        </thead>
        <tbody>
          {map.features.map((f, i) => (
            <tr key={f}>
              <th scope="row">{f}</th>
              {shown.map((w, j) => {
                const v = map.cells[i]![j + offset] ?? null;
                const d = map.drifted[i]![j + offset];
                return (
                  <td key={w} style={{ background: severityColor(v), outline: d ? "2px solid var(--err)" : undefined }}
                    title={`${f} · window ending ${new Date(w).toLocaleString()}: ${v === null ? "not scored" : `severity ${v.toFixed(2)}`}${d ? " (drifted)" : ""}`}>
                    <span className="sr-only">{v === null ? "–" : v.toFixed(2)}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">{map.windows.length} windows{offset ? ` (latest ${shown.length} shown)` : ""}; green is far below the threshold, red far above; outlined cells drifted.</p>
    </div>
  );
}
