// The latest window per feature: statistic, p-value, threshold, and the reference-vs-current
// distribution of the chosen feature (the most drifted one first).
import { useState } from "react";
import { count, num } from "../viz/format";
import { PairedBars } from "../viz/PairedBars";
import { Panel, QueryState } from "../viz/States";
import { useFeatureScores, type FeatureScore } from "./api";

export function Features({ project, model }: { project: string; model: string }) {
  const scores = useFeatureScores(project, model);
  const [picked, setPicked] = useState<string | null>(null);
  return (
    <Panel title="Features in the latest window" id="drift-features">
      <QueryState query={scores} what="feature scores" isEmpty={(f) => f.features.length === 0 && !f.prediction} empty="No window has been scored yet.">
        {(data) => {
          const rows = [...data.features].sort((a, b) => Number(b.is_drifted) - Number(a.is_drifted) || (b.severity ?? 0) - (a.severity ?? 0));
          if (data.prediction) rows.push(data.prediction);
          const current = rows.find((r) => r.feature === picked) ?? rows[0];
          return (
            <>
              <table className="data" aria-label="Feature drift">
                <thead><tr><th>Feature</th><th>Type</th><th>Method</th><th className="r">Statistic</th><th className="r">p-value</th><th className="r">Threshold</th><th>Drifted</th><th className="r">Reference / current rows</th></tr></thead>
                <tbody>
                  {rows.map((f) => (
                    <tr key={f.feature} data-testid="feature-row" data-drifted={f.is_drifted ? "true" : "false"} aria-selected={f === current}>
                      <td><button type="button" className="btn btn-small" onClick={() => setPicked(f.feature)} aria-label={`Show distribution of ${f.feature}`}>{f.feature}</button></td>
                      <td>{f.feature_type}</td><td>{f.method}</td>
                      <td className="r">{num(f.score, 4)}</td><td className="r">{num(f.p_value, 4)}</td><td className="r">{num(f.threshold, 3)}</td>
                      <td>{f.is_drifted ? <strong className="err-text">drifted</strong> : <span className="ok-text">no</span>}</td>
                      <td className="r">{count(f.n_reference)} / {count(f.n_current)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {current && <Distribution f={current} />}
            </>
          );
        }}
      </QueryState>
    </Panel>
  );
}

function Distribution({ f }: { f: FeatureScore }) {
  const h = f.histogram;
  return (
    <div className="card" style={{ marginTop: 10 }} data-testid="distribution">
      <h3 style={{ margin: "0 0 4px", fontSize: 14 }}>{f.feature}: reference vs current</h3>
      <p className="small muted">{f.method} statistic {num(f.score, 4)}{f.p_value !== null ? `, p-value ${num(f.p_value, 4)}` : ""}; threshold {num(f.threshold, 3)}</p>
      {h ? <PairedBars labels={h.labels} a={h.reference} b={h.current} names={["reference", "current"]} label={`Distribution of ${f.feature}`} />
        : <p className="muted">No histogram for this feature.</p>}
    </div>
  );
}
