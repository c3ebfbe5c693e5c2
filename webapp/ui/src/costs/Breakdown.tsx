// Cost by one dimension (model family, model, user, feature, team, environment): a table with
// shares. A model family drills down to its dated model ids (the family as a filter, by model).
import { useState } from "react";
import { costOf, count, pct, toNumber, usd } from "../viz/format";
import { Meter } from "../viz/Meter";
import { Panel, QueryState } from "../viz/States";
import { useBreakdown, type CostFilter, type Dimension } from "./api";

const DIMENSIONS: [Dimension, string][] = [
  ["model_family", "model family"], ["model", "model"], ["user", "user"], ["feature", "feature"], ["team", "team"],
  ["environment", "environment"],
];

export function Breakdown({ project, filter }: { project: string; filter: CostFilter }) {
  const [chosen, setChosen] = useState<Dimension>("model");
  const [family, setFamily] = useState<string | null>(null); // the family drilled into
  const drilled = chosen === "model_family" && family !== null;
  const dimension: Dimension = drilled ? "model" : chosen;
  const breakdown = useBreakdown(project, drilled ? { ...filter, model_family: family } : filter, dimension);
  const label = drilled ? `model in family ${family}` : DIMENSIONS.find(([d]) => d === chosen)![1];
  return (
    <Panel title="Breakdown" id="cost-breakdown" actions={
      <div role="group" aria-label="Break down by" className="card-actions">
        {DIMENSIONS.map(([d, name]) => (
          <button key={d} type="button" className="btn btn-small" aria-pressed={d === chosen}
            onClick={() => { setChosen(d); setFamily(null); }}>{name}</button>
        ))}
      </div>
    }>
      {drilled && (
        <p className="small">
          <button type="button" className="btn btn-small" onClick={() => setFamily(null)}>← all model families</button>{" "}
          <span data-testid="breakdown-family">Model ids of the <strong>{family}</strong> family</span>
        </p>
      )}
      <QueryState query={breakdown} what="the breakdown" isEmpty={(b) => b.items.length === 0} empty={`No spend by ${label} in this range.`}>
        {(b) => (
          <table className="data" aria-label={`Cost by ${label}`}>
            <thead><tr><th>{label}</th><th className="r">Cost</th><th>Share</th><th className="r">Requests</th><th className="r">Tokens in / out</th></tr></thead>
            <tbody>
              {b.items.map((item) => (
                <tr key={item.value} data-testid="breakdown-row">
                  <td>
                    {chosen === "model_family" && !drilled && item.value
                      ? <button type="button" className="link-button" aria-label={`Model ids of ${item.value}`} onClick={() => setFamily(String(item.value))}>{item.value}</button>
                      : item.value || <span className="muted">(none)</span>}
                  </td>
                  <td className="r">{usd(costOf(item))}</td>
                  <td><Meter value={toNumber(item.share_percent)} max={100} label={`share of ${item.value}`} level="ok" /> <span className="small muted">{pct(toNumber(item.share_percent))}</span></td>
                  <td className="r">{count(toNumber(item.requests))}{toNumber(item.unpriced_requests) > 0 && <span className="small err-text"> ({count(toNumber(item.unpriced_requests))} unpriced)</span>}</td>
                  <td className="r">{count(toNumber(item.input_tokens))} / {count(toNumber(item.output_tokens))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}
