// The project at a glance over a chosen range (?range=): requests, error rate, p50/p95 latency,
// tokens and cost, top models and services, and the drift status of each monitored model.
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, inProject, must } from "../api/client";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { useBreakdown, useCostSummary } from "../costs/api";
import { useMonitors } from "../drift/api";
import { statusWord } from "../drift/DriftPage";
import { formatDuration } from "../traces/format";
import { count, pct, toNumber, usd, when } from "../viz/format";
import { Kpi } from "../viz/Kpi";
import { Panel, QueryState } from "../viz/States";
import "../viz/viz.css";
import { traceStats } from "./stats";

const RANGES: Record<string, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
const SAMPLE = 1000;

export default function DashboardPage() {
  const { slug, role } = useProject();
  const [params, setParams] = useSearchParams();
  const rangeName = params.get("range") && params.get("range")! in RANGES ? params.get("range")! : "24h";
  const { start, end } = useMemo(() => {
    const endMs = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    return { start: new Date(endMs - RANGES[rangeName]!).toISOString(), end: new Date(endMs).toISOString() };
  }, [rangeName]);
  const traces = useQuery({
    queryKey: ["dashboard", slug, "traces", start, end],
    placeholderData: keepPreviousData,  // a new range keeps the last figures until its own arrive
    queryFn: ({ signal }) => must(api.GET("/api/v1/traces", {
      params: { query: { start_time: start, end_time: end, limit: SAMPLE } as never }, headers: inProject(slug), signal,
    })),
  });
  const stats = useMemo(() => traceStats(traces.data?.traces ?? []), [traces.data]);
  const canCosts = can(role, "costs:read") || can(role, "costs:read:own");
  return (
    <section className="page stack-v" aria-labelledby="page-title">
      <h1 id="page-title">Dashboard</h1>
      <div className="toolbar">
        <label>Time range
          <select value={rangeName} aria-label="Time range" onChange={(e) => setParams({ range: e.target.value }, { replace: true })}>
            {Object.keys(RANGES).map((r) => <option key={r} value={r}>last {r}</option>)}
          </select>
        </label>
      </div>
      <Panel title="Requests" id="dash-requests">
        <QueryState query={traces} what="traces" isEmpty={(t) => t.traces.length === 0}
          empty={<>No traces in this range. <Link to={`/p/${encodeURIComponent(slug)}/traces`}>The traces page</Link> shows how to send the first one.</>}>
          {(t) => (
            <>
              <div className="kpis">
                <Kpi label="Requests (traces)" value={`${count(stats.requests)}${t.next_cursor ? "+" : ""}`} testId="dash-requests-count" />
                <Kpi label="Error rate" value={pct(stats.errorRate * 100)} sub={`${count(stats.errors)} failed`} />
                <Kpi label="p50 latency" value={formatDuration(stats.p50)} />
                <Kpi label="p95 latency" value={formatDuration(stats.p95)} />
              </div>
              {t.next_cursor && <p className="small muted">More than {count(SAMPLE)} traces: rates and latencies are from the newest {count(SAMPLE)}.</p>}
              <h3 className="small muted">Top services</h3>
              <table className="data" aria-label="Top services">
                <thead><tr><th>Service</th><th className="r">Traces</th><th className="r">Errors</th><th className="r">p95</th></tr></thead>
                <tbody>{stats.services.slice(0, 8).map((s) => (
                  <tr key={s.name}><td>{s.name}</td><td className="r">{count(s.requests)}</td><td className="r">{count(s.errors)}</td><td className="r">{formatDuration(s.p95)}</td></tr>
                ))}</tbody>
              </table>
            </>
          )}
        </QueryState>
      </Panel>
      <div className="grid-2">
        {canCosts && <CostBlock project={slug} start={start} end={end} />}
        {can(role, "drift:read") && <DriftBlock project={slug} />}
      </div>
    </section>
  );
}

function CostBlock({ project, start, end }: { project: string; start: string; end: string }) {
  const filter = { start_time: start, end_time: end };
  const summary = useCostSummary(project, filter);
  const models = useBreakdown(project, filter, "model");
  return (
    <Panel title="Tokens and cost" id="dash-costs">
      <QueryState query={summary} what="costs">
        {(s) => (
          <div className="kpis">
            <Kpi label="Cost" value={usd(s.total_cost_micros !== undefined ? toNumber(s.total_cost_micros) / 1e6 : toNumber(s.total_cost_usd))} testId="dash-cost" />
            <Kpi label="Input tokens" value={count(toNumber(s.total_input_tokens))} />
            <Kpi label="Output tokens" value={count(toNumber(s.total_output_tokens))} />
          </div>
        )}
      </QueryState>
      <h3 className="small muted">Top models</h3>
      <QueryState query={models} what="models" isEmpty={(b) => b.items.length === 0} empty="No model calls in this range.">
        {(b) => (
          <table className="data" aria-label="Top models">
            <thead><tr><th>Model</th><th className="r">Calls</th><th className="r">Cost</th></tr></thead>
            <tbody>{b.items.slice(0, 8).map((m) => (
              <tr key={m.value}><td>{m.value}</td><td className="r">{count(toNumber(m.requests))}</td><td className="r">{usd(toNumber(m.cost_micros) / 1e6)}</td></tr>
            ))}</tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}

function DriftBlock({ project }: { project: string }) {
  const monitors = useMonitors(project);
  return (
    <Panel title="Drift" id="dash-drift">
      <QueryState query={monitors} what="monitors" isEmpty={(m) => m.length === 0} empty="No monitored models.">
        {(list) => (
          <table className="data" aria-label="Drift status per model">
            <thead><tr><th>Model</th><th>Status</th><th>Last run</th></tr></thead>
            <tbody>{list.map((m) => (
              <tr key={m.model_id}>
                <td><Link to={`/p/${encodeURIComponent(project)}/drift?model=${encodeURIComponent(m.model_id)}`}>{m.model_id}</Link></td>
                <td><span className={`status status-${statusWord(m.last_status)}`}>{m.last_status || "not run"}</span></td>
                <td>{when(m.last_run_at)}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}
