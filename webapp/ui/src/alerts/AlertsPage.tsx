// The alerts centre: firing / acknowledged / resolved tabs with their counts, the list's filters
// (severity, rule, model; labels filtered here), each alert's labels, annotations, times and history,
// acknowledge / resolve, and "silence this" with the alert's labels as matchers.
import { Fragment, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { ErrorView } from "../components/ErrorView";
import { num, when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import "../viz/viz.css";
import { useAcknowledge, useAlertHistory, useAlerts, useResolve, useRules, type Alert } from "./api";
import { AlertingTabs, NoWrite } from "./common";
import { matchersFromLabels, matchesLabels, parseMatcher, type MatcherRow } from "./matchers";
import { SilenceForm } from "./SilenceForm";

const STATES = [
  { id: "firing", label: "Firing" },
  { id: "acknowledged", label: "Acknowledged" },
  { id: "resolved", label: "Resolved" },
] as const;

function withParam(params: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(name, value); else next.delete(name);
  return next;
}

/** "team=ml, env=~prod.*" → matchers (what does not parse is ignored and flagged). */
function labelFilter(text: string): { rows: MatcherRow[]; bad: string[] } {
  const parts = text.split(",").map((p) => p.trim()).filter(Boolean);
  const rows: MatcherRow[] = [];
  const bad: string[] = [];
  for (const p of parts) {
    const m = parseMatcher(p);
    if (m) rows.push(m); else bad.push(p);
  }
  return { rows, bad };
}

export default function AlertsPage() {
  const { slug, role } = useProject();
  const canWrite = can(role, "alerts:write");
  const [params, setParams] = useSearchParams();
  const status = STATES.find((s) => s.id === params.get("status"))?.id ?? "firing";
  const filter = { status, severity: params.get("severity") ?? "", model_id: params.get("model_id") ?? "", rule_id: params.get("rule_id") ?? "" };
  const labels = params.get("labels") ?? "";
  const set = (name: string, value: string) => setParams(withParam(params, name, value), { replace: true });
  const alerts = useAlerts(slug, filter);
  const rules = useRules(slug);
  const [silencing, setSilencing] = useState<MatcherRow[] | null>(null);
  const [made, setMade] = useState<string | null>(null);
  const { rows: labelMatchers, bad } = labelFilter(labels);
  const counts = alerts.data?.counts ?? {};
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Alerts</h1>
      <AlertingTabs project={slug} />
      <nav className="tabs" aria-label="Alert states">
        {STATES.map((s) => (
          <Link key={s.id} to={`?${withParam(params, "status", s.id)}`} replace aria-current={s.id === status ? "page" : undefined}
            data-testid={`state-${s.id}`}>
            {s.label} <span className="badge">{counts[s.id] ?? 0}</span>
          </Link>
        ))}
      </nav>
      <div className="toolbar" role="search" aria-label="Alert filters">
        <label>Severity<select value={filter.severity} onChange={(e) => set("severity", e.target.value)}>
          <option value="">any</option>{["critical", "warning", "info"].map((s) => <option key={s}>{s}</option>)}
        </select></label>
        <label>Rule<select value={filter.rule_id} onChange={(e) => set("rule_id", e.target.value)}>
          <option value="">any</option>{(rules.data ?? []).map((r) => <option key={r.id} value={String(r.id)}>{r.name}</option>)}
        </select></label>
        <label>Model<input value={filter.model_id} onChange={(e) => set("model_id", e.target.value)} placeholder="model id" /></label>
        <label>Labels<input value={labels} onChange={(e) => set("labels", e.target.value)} placeholder='team="ml", env=~"prod.*"' /></label>
        {bad.length > 0 && <span className="form-error small" role="alert">not a matcher: {bad.join(", ")}</span>}
      </div>
      {!canWrite && <NoWrite what="acknowledge, resolve or silence alerts" />}
      {made && <p className="notice" role="status" data-testid="silence-made">{made}</p>}
      {silencing && (
        <SilenceForm project={slug} initial={silencing} onDone={(s) => {
          setSilencing(null);
          if (s) setMade(`Silence #${s.id} created (${s.state}); it mutes ${s.matchers.join(", ")}.`);
        }} />
      )}
      <Panel title={`${STATES.find((s) => s.id === status)!.label} alerts`} id="alerts">
        <QueryState query={alerts} what="alerts" isEmpty={(d) => d.alerts.length === 0} empty={`No ${status} alerts.`}>
          {(data) => (
            <AlertTable project={slug} canWrite={canWrite} onSilence={(a) => { setMade(null); setSilencing(matchersFromLabels(a.labels as Record<string, unknown>)); }}
              alerts={data.alerts.filter((a) => matchesLabels(labelMatchers, a.labels as Record<string, unknown>))} />
          )}
        </QueryState>
      </Panel>
    </section>
  );
}

function AlertTable({ project, alerts, canWrite, onSilence }: { project: string; alerts: Alert[]; canWrite: boolean; onSilence: (a: Alert) => void }) {
  const [open, setOpen] = useState<number | null>(null);
  const ack = useAcknowledge(project);
  const resolve = useResolve(project);
  const denied = canWrite ? undefined : "Your role lacks “alerts:write”";
  return (
    <>
      {ack.isError && <ErrorView error={ack.error} />}
      {resolve.isError && <ErrorView error={resolve.error} />}
      <table className="data" aria-label="Alerts">
        <thead><tr><th>Alert</th><th>Severity</th><th>Labels</th><th className="r">Value</th><th>Since</th><th /></tr></thead>
        <tbody>
          {alerts.map((a) => (
            <Fragment key={a.id}>
              <tr data-testid="alert-row" data-state={a.state}>
                <td><button type="button" className="link-button" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)}>
                  {a.alertname || a.fingerprint}</button>{a.muted_by ? <span className="badge" title={String(a.muted_by)}>muted</span> : null}</td>
                <td><span className={`status status-${a.severity === "critical" ? "drifted" : "healthy"}`}>{a.severity}</span></td>
                <td><Labels labels={a.labels as Record<string, unknown>} /></td>
                <td className="r">{a.value === null || a.value === undefined ? "–" : num(a.value)}</td>
                <td className="small">{when(a.starts_at)}</td>
                <td><div className="card-actions">
                  {a.state === "firing" && <button type="button" className="btn btn-small" disabled={!canWrite || ack.isPending} title={denied}
                    aria-label={`Acknowledge ${a.alertname}`} onClick={() => ack.mutate(a.id)}>Acknowledge</button>}
                  {a.state !== "resolved" && <button type="button" className="btn btn-small" disabled={!canWrite || resolve.isPending} title={denied}
                    aria-label={`Resolve ${a.alertname}`} onClick={() => resolve.mutate(a.id)}>Resolve</button>}
                  <button type="button" className="btn btn-small" disabled={!canWrite} title={denied}
                    aria-label={`Silence ${a.alertname}`} onClick={() => onSilence(a)}>Silence this</button>
                </div></td>
              </tr>
              {open === a.id && <tr><td colSpan={6}><AlertDetail project={project} alert={a} /></td></tr>}
            </Fragment>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Labels({ labels }: { labels: Record<string, unknown> }) {
  return <>{Object.entries(labels).sort().map(([k, v]) => <span key={k} className="chip small mono">{k}={String(v)}</span>)}</>;
}

const EVENT_WORDS: Record<string, string> = {
  firing: "fired", acknowledged: "acknowledged", resolved: "resolved", notified: "notified",
  notify_failed: "notification failed", muted: "muted", unmuted: "unmuted",
};

function AlertHistory({ project, id }: { project: string; id: number }) {
  const events = useAlertHistory(project, id);
  return (
    <QueryState query={events} what="history" isEmpty={(e) => e.length === 0} empty="No recorded events.">
      {(list) => (
        <ol className="small" aria-label="Alert history">
          {list.map((e, i) => (
            <li key={i} data-testid="history-event">
              {when(e.time)} — {EVENT_WORDS[e.event] ?? e.event}
              {e.actor ? ` by ${e.actor}` : ""}{e.channel ? ` via ${e.channel}` : ""}
              {e.value !== null && e.value !== undefined && e.event === "firing" ? ` (value ${num(e.value)})` : ""}
            </li>
          ))}
        </ol>
      )}
    </QueryState>
  );
}

function AlertDetail({ project, alert }: { project: string; alert: Alert }) {
  const annotations = Object.entries((alert.annotations ?? {}) as Record<string, unknown>);
  return (
    <div className="grid-2" data-testid="alert-detail">
      <div>
        <h3 className="small">Labels</h3>
        <dl className="kv">{Object.entries(alert.labels as Record<string, unknown>).sort().map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd className="mono">{String(v)}</dd></Fragment>)}</dl>
        <h3 className="small">Annotations</h3>
        {annotations.length ? <dl className="kv">{annotations.map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd>{String(v)}</dd></Fragment>)}</dl>
          : <p className="muted small">none</p>}
      </div>
      <div>
        <h3 className="small">History</h3>
        <AlertHistory project={project} id={alert.id} />
        <p className="muted small">Started {when(alert.starts_at)}{alert.ends_at ? ` · ended ${when(alert.ends_at)}` : ""} · updated {when(alert.updated_at)}</p>
        <p className="muted small">Fingerprint <span className="mono">{alert.fingerprint}</span> · group <span className="mono">{alert.group_key}</span> · source {alert.source}
          {alert.muted_by ? ` · muted by ${String(alert.muted_by)}` : ""}</p>
      </div>
    </div>
  );
}
