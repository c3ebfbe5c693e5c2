// Costs: total and trend, breakdown by dimension, token usage, forecast, budgets, savings and
// unpriced models over a time range kept in the URL (?range=7d&model=...).
import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { ErrorView } from "../components/ErrorView";
import { BandChart } from "../viz/BandChart";
import { costOf, count, toNumber, usd } from "../viz/format";
import { StackedBars } from "../viz/StackedBars";
import { Kpi } from "../viz/Kpi";
import { Panel, QueryState } from "../viz/States";
import { stack } from "../viz/stack";
import "../viz/viz.css";
import { downloadCsv, useCostSummary, useForecast, type CostFilter } from "./api";
import { Breakdown } from "./Breakdown";
import { Budgets } from "./Budgets";
import { Recommendations, Unpriced } from "./Insights";
import { dailyCost, RANGES, rangeOf, tokenLayers } from "./shape";

export default function CostsPage() {
  const { slug, role } = useProject();
  const [params, setParams] = useSearchParams();
  const range = useMemo(() => rangeOf(params.get("range")), [params]);
  const model = params.get("model") ?? "";
  const filter: CostFilter = { start_time: range.start.toISOString(), end_time: range.end.toISOString(), ...(model ? { model_id: model } : {}) };
  const [modelDraft, setModelDraft] = useState(model);
  const [exportError, setExportError] = useState<unknown>(null);
  const summary = useCostSummary(slug, filter);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <section className="page stack-v" aria-labelledby="page-title">
      <h1 id="page-title">Costs</h1>
      <form className="toolbar" onSubmit={(e) => { e.preventDefault(); set("model", modelDraft.trim()); }}>
        <label>Time range
          <select value={range.name} onChange={(e) => set("range", e.target.value)} aria-label="Time range">
            {Object.keys(RANGES).map((r) => <option key={r} value={r}>last {r}</option>)}
          </select>
        </label>
        <label>Model
          <input value={modelDraft} onChange={(e) => setModelDraft(e.target.value)} placeholder="all models" aria-label="Model filter" />
        </label>
        <button type="submit" className="btn">Apply</button>
        <button type="button" className="btn" onClick={() => { setExportError(null); downloadCsv(slug, filter).catch(setExportError); }}>
          Export CSV
        </button>
      </form>
      {exportError !== null && <ErrorView error={exportError} />}
      <Panel title="Total" id="cost-summary">
        <QueryState query={summary} what="costs">
          {(data) => {
            const t = data.totals ?? ({} as Record<string, unknown>);
            const total = costOf({ cost_usd_exact: data.total_cost_usd_exact, cost_usd: data.total_cost_usd, cost_micros: data.total_cost_micros });
            const unpriced = toNumber((t as { unpriced_requests?: unknown }).unpriced_requests);
            return (
              <>
                <div className="kpis">
                  <Kpi label="Total cost" value={usd(total)} testId="cost-total" sub={model ? `model ${model}` : "all models"} />
                  <Kpi label="Requests" value={count(toNumber(data.total_requests))} sub={unpriced ? `${count(unpriced)} unpriced` : "all priced"} />
                  <Kpi label="Cost per request" value={usd(toNumber(data.average_cost_per_request_usd))} />
                  <Kpi label="Input tokens" value={count(toNumber(data.total_input_tokens))} />
                  <Kpi label="Output tokens" value={count(toNumber(data.total_output_tokens))} />
                </div>
                <h3 className="small muted">Cost per day</h3>
                <StackedBars label="Cost per day" format={usd}
                  data={stack(dailyCost(data.by_period ?? [], range.start, range.end), (d) => d.day, [{ name: "Cost", color: "#ea580c", value: (d) => d.usd }])} />
              </>
            );
          }}
        </QueryState>
      </Panel>
      <div className="grid-2">
        <Breakdown project={slug} filter={filter} />
        <Panel title="Token usage" id="token-usage">
          <QueryState query={summary} what="token usage" isEmpty={(d) => (d.groups ?? []).length === 0} empty="No token usage in this range.">
            {(data) => <StackedBars label="Tokens per day by kind" format={count} data={tokenLayers(data.groups ?? [])} />}
          </QueryState>
        </Panel>
      </div>
      <Forecast project={slug} model={model} />
      <Budgets project={slug} canEdit={can(role, "costs:configure")} />
      <div className="grid-2">
        <Recommendations project={slug} filter={filter} />
        <Unpriced project={slug} filter={filter} />
      </div>
    </section>
  );
}


function Forecast({ project, model }: { project: string; model: string }) {
  const forecast = useForecast(project, model || undefined);
  return (
    <Panel title="Forecast (next 14 days)" id="forecast">
      <QueryState query={forecast} what="the forecast" isEmpty={(f) => f.method === "empty" || ![...(f.history ?? []), ...(f.days ?? []).map((d) => d.mean_usd)].some((v) => toNumber(v) > 0)}
        empty="Not enough daily history to forecast yet.">
        {(f) => {
          const first = new Date(`${f.first_history_day}T00:00:00Z`);
          const history = (f.history ?? []).map((v, i) => ({
            x: new Date(first.getTime() + i * 86_400_000).toISOString().slice(0, 10), mean: toNumber(v),
          }));
          const days = (f.days ?? []).map((d) => ({ x: d.day, mean: toNumber(d.mean_usd), lower: toNumber(d.lower_usd), upper: toNumber(d.upper_usd) }));
          return (
            <>
              <p className="small">
                Expected <strong>{usd(toNumber(f.total_mean_usd))}</strong> ({Math.round(toNumber(f.level) * 100)}% band {usd(toNumber(f.total_lower_usd))} – {usd(toNumber(f.total_upper_usd))}),
                method {f.method}{f.backtest?.mape_model != null && <> · backtest error {toNumber(f.backtest.mape_model).toFixed(1)}% vs naive {toNumber(f.backtest.mape_naive).toFixed(1)}%</>}
              </p>
              <BandChart history={history} forecast={days} label="Daily cost history and forecast band" format={usd} />
            </>
          );
        }}
      </QueryState>
    </Panel>
  );
}
