// Savings recommendations and the models the price table does not know.
import { count, usd, toNumber, when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import { useRecommendations, useUnpriced, type CostFilter } from "./api";

export function Recommendations({ project, filter }: { project: string; filter: CostFilter }) {
  const recs = useRecommendations(project, filter);
  return (
    <Panel title="Savings" id="recommendations">
      <QueryState query={recs} what="recommendations" isEmpty={(r) => r.recommendations.length === 0} empty="No savings found in this range.">
        {(r) => (
          <ul className="stack-v" style={{ paddingLeft: 18, gap: 8 }}>
            {r.recommendations.map((rec, i) => (
              <li key={`${rec.kind}-${i}`}>
                <strong>{rec.title}</strong> <span className="ok-text">save {usd(toNumber(rec.saving_usd))}</span>
                <div className="small muted">{rec.detail}</div>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </Panel>
  );
}

export function Unpriced({ project, filter }: { project: string; filter: CostFilter }) {
  const unpriced = useUnpriced(project, filter);
  return (
    <Panel title="Unpriced models" id="unpriced">
      <QueryState query={unpriced} what="unpriced models" isEmpty={(u) => u.models.length === 0} empty="Every model in this range has a price.">
        {(u) => (
          <table className="data" aria-label="Unpriced models">
            <thead><tr><th>Model</th><th>Provider</th><th className="r">Spans</th><th className="r">Tokens in / out</th><th>Last seen</th><th>Why</th></tr></thead>
            <tbody>
              {u.models.map((m) => (
                <tr key={`${m.provider}/${m.model_id}`}>
                  <td>{m.model_id}</td><td>{m.provider}</td><td className="r">{count(m.spans)}</td>
                  <td className="r">{count(m.input_tokens)} / {count(m.output_tokens)}</td><td>{when(m.last_seen)}</td>
                  <td className="small muted">{m.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}
