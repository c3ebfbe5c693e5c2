// The project at a glance over a chosen range (?range=): requests, error rate, p50/p95 latency and
// their series, top services, tokens, cost and top models, and the drift status of each monitored
// model — one call (GET /dashboard/summary), every figure computed by the server over the whole range.
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, inProject, must, type Schemas } from "../api/client";
import { useProject } from "../app/project";
import { statusWord } from "../drift/DriftPage";
import { formatDuration } from "../traces/format";
import { count, pct, usd, when } from "../viz/format";
import { Kpi } from "../viz/Kpi";
import { Lines } from "../viz/Lines";
import { Panel, QueryState } from "../viz/States";
import "../viz/viz.css";

const RANGES: Record<string, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
type Summary = Schemas["Dashboard"];

export default function DashboardPage() {
  const { slug } = useProject();
  const [params, setParams] = useSearchParams();
  const rangeName = params.get("range") && params.get("range")! in RANGES ? params.get("range")! : "24h";
  const { start, end } = useMemo(() => {
    const endMs = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    return { start: new Date(endMs - RANGES[rangeName]!).toISOString(), end: new Date(endMs).toISOString() };
  }, [rangeName]);
  const summary = useQuery({
    queryKey: ["dashboard", slug, start, end],
    placeholderData: keepPreviousData, // a new range keeps the last figures until its own arrive
    queryFn: ({ signal }) => must(api.GET("/api/v1/dashboard/summary", {
      params: { query: { start_time: start, end_time: end } }, headers: inProject(slug), signal,
    })),
  });
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
      <QueryState query={summary} what="the dashboard">
        {(s) => (
          <>
            <Requests project={slug} s={s} />
            <div className="grid-2">
              {s.costs ? <Costs costs={s.costs} /> : <Hidden title="Tokens and cost" permission={s.hidden.costs} />}
              {s.drift ? <Drift project={slug} drift={s.drift} /> : <Hidden title="Drift" permission={s.hidden.drift} />}
            </div>
          </>
        )}
      </QueryState>
    </section>
  );
}

function Requests({ project, s }: { project: string; s: Summary }) {
  const r = s.requests;
  if (r.count === 0) {
    return (
      <Panel title="Requests" id="dash-requests">
        <div className="empty-inline muted" data-testid="empty">
          No traces in this range. <Link to={`/p/${encodeURIComponent(project)}/traces`}>The traces page</Link> shows how to send the first one.
        </div>
      </Panel>
    );
  }
  const series = [
    { name: "requests", color: "var(--accent, #3b82f6)", points: s.series.map((b) => ({ x: b.time, y: b.requests })) },
    { name: "errors", color: "var(--err)", points: s.series.map((b) => ({ x: b.time, y: b.errors, flagged: b.errors > 0 })) },
  ];
  return (
    <Panel title="Requests" id="dash-requests">
      <div className="kpis">
        <Kpi label="Requests (traces)" value={count(r.count)} testId="dash-requests-count" />
        <Kpi label="Error rate" value={pct((r.error_rate ?? 0) * 100)} sub={`${count(r.errors)} failed`} testId="dash-error-rate" />
        <Kpi label="p50 latency" value={formatDuration(r.p50_ms ?? Number.NaN)} testId="dash-p50" />
        <Kpi label="p95 latency" value={formatDuration(r.p95_ms ?? Number.NaN)} testId="dash-p95" />
      </div>
      <Lines series={series} label={`Requests and errors per ${s.bucket_seconds / 60} minutes`} max={1} />
      <h3 className="small muted">Top services</h3>
      <table className="data" aria-label="Top services">
        <thead><tr><th>Service</th><th className="r">Traces</th><th className="r">Errors</th><th className="r">p95</th></tr></thead>
        <tbody>{s.services.map((v) => (
          <tr key={v.service}><td>{v.service}</td><td className="r">{count(v.requests)}</td><td className="r">{count(v.errors)}</td><td className="r">{formatDuration(v.p95_ms)}</td></tr>
        ))}</tbody>
      </table>
    </Panel>
  );
}

function Costs({ costs }: { costs: NonNullable<Summary["costs"]> }) {
  return (
    <Panel title="Tokens and cost" id="dash-costs">
      <div className="kpis">
        <Kpi label={costs.scope === "own" ? "Cost (yours)" : "Cost"} value={usd(costs.cost_usd)} testId="dash-cost" />
        <Kpi label="Input tokens" value={count(costs.input_tokens)} testId="dash-input-tokens" />
        <Kpi label="Output tokens" value={count(costs.output_tokens)} testId="dash-output-tokens" />
      </div>
      <h3 className="small muted">Top models</h3>
      {costs.models.length === 0 ? <div className="empty-inline muted">No model calls in this range.</div> : (
        <table className="data" aria-label="Top models">
          <thead><tr><th>Model</th><th className="r">Calls</th><th className="r">Cost</th></tr></thead>
          <tbody>{costs.models.map((m) => (
            <tr key={m.model_id}><td>{m.model_id}</td><td className="r">{count(m.requests)}</td><td className="r">{usd(m.cost_usd)}</td></tr>
          ))}</tbody>
        </table>
      )}
    </Panel>
  );
}

function Drift({ project, drift }: { project: string; drift: NonNullable<Summary["drift"]> }) {
  return (
    <Panel title="Drift" id="dash-drift">
      {drift.length === 0 ? <div className="empty-inline muted">No monitored models.</div> : (
        <table className="data" aria-label="Drift status per model">
          <thead><tr><th>Model</th><th>Status</th><th>Last run</th></tr></thead>
          <tbody>{drift.map((m) => (
            <tr key={m.model_id}>
              <td><Link to={`/p/${encodeURIComponent(project)}/drift?model=${encodeURIComponent(m.model_id)}`}>{m.model_id}</Link></td>
              <td><span className={`status status-${statusWord(m.status)}`}>{m.status || "not run"}</span></td>
              <td>{when(m.last_run_at)}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </Panel>
  );
}

function Hidden({ title, permission }: { title: string; permission?: string }) {
  return (
    <Panel title={title}>
      <p className="muted" data-testid="missing-permission">Your role lacks {permission ?? "the permission"} to see this.</p>
    </Panel>
  );
}
