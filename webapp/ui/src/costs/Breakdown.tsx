// Cost by one dimension (model, user, feature, team, environment): a table with shares.
import { useState } from "react";
import { count, pct, toNumber, usd } from "../viz/format";
import { Meter } from "../viz/Meter";
import { Panel, QueryState } from "../viz/States";
import { useBreakdown, type CostFilter, type Dimension } from "./api";

const DIMENSIONS: Dimension[] = ["model", "user", "feature", "team", "environment"];

export function Breakdown({ project, filter }: { project: string; filter: CostFilter }) {
  const [dimension, setDimension] = useState<Dimension>("model");
  const breakdown = useBreakdown(project, filter, dimension);
  return (
    <Panel title="Breakdown" id="cost-breakdown" actions={
      <div role="group" aria-label="Break down by" className="card-actions">
        {DIMENSIONS.map((d) => (
          <button key={d} type="button" className="btn btn-small" aria-pressed={d === dimension} onClick={() => setDimension(d)}>{d}</button>
        ))}
      </div>
    }>
      <QueryState query={breakdown} what="the breakdown" isEmpty={(b) => b.items.length === 0} empty={`No spend by ${dimension} in this range.`}>
        {(b) => (
          <table className="data" aria-label={`Cost by ${dimension}`}>
            <thead><tr><th>{dimension}</th><th className="r">Cost</th><th>Share</th><th className="r">Requests</th><th className="r">Tokens in / out</th></tr></thead>
            <tbody>
              {b.items.map((item) => (
                <tr key={item.value} data-testid="breakdown-row">
                  <td>{item.value || <span className="muted">(none)</span>}</td>
                  <td className="r">{usd(item.cost_micros !== undefined ? toNumber(item.cost_micros) / 1e6 : toNumber(item.cost_usd))}</td>
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
