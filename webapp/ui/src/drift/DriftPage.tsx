// Drift: the monitored models with their status; the chosen one (?model=) in detail.
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { when } from "../viz/format";
import { QueryState } from "../viz/States";
import "../viz/viz.css";
import { useMonitors } from "./api";
import { ModelView } from "./ModelView";
import { MonitorForm } from "./MonitorForm";

export default function DriftPage() {
  const { slug, role } = useProject();
  const [params, setParams] = useSearchParams();
  const monitors = useMonitors(slug);
  const canConfigure = can(role, "drift:configure");
  const [creating, setCreating] = useState(false);
  const chosen = params.get("model") ?? monitors.data?.[0]?.model_id ?? "";
  return (
    <section className="page stack-v" aria-labelledby="page-title">
      <h1 id="page-title">Drift</h1>
      {creating && (
        <MonitorForm project={slug} onDone={(model) => {
          setCreating(false);
          if (model) setParams({ model });
        }} />
      )}
      <QueryState query={monitors} what="monitored models" isEmpty={(m) => m.length === 0} empty={
        <div className="empty">
          <p className="empty-title">No monitored models yet.</p>
          <p>A monitor compares a model's recent inputs and predictions (span attributes <code>pyflare.features.*</code>,{" "}
            <code>pyflare.prediction</code>) with a reference and flags drift.</p>
          {canConfigure ? !creating && <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>Monitor a model</button>
            : <p className="muted">Ask someone with the drift:configure permission to add one.</p>}
        </div>
      }>
        {(list) => (
          <div className="layout-side">
            <nav className="card" aria-label="Monitored models">
              <div className="card-head"><h2>Models</h2>
                {canConfigure && !creating && <button type="button" className="btn btn-small" onClick={() => setCreating(true)}>New monitor</button>}
              </div>
              <ul className="list-pick">
                {list.map((m) => (
                  <li key={m.model_id}>
                    <Link to={`?model=${encodeURIComponent(m.model_id)}`} aria-current={m.model_id === chosen ? "page" : undefined} data-testid="monitor-link">
                      <span>{m.model_id}{m.enabled === false && <span className="badge">paused</span>}</span>
                      <span className={`status status-${statusWord(m.last_status)}`} title={`last run ${when(m.last_run_at)}`}>{m.last_status || "not run"}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            {chosen ? <ModelView key={chosen} project={slug} model={chosen} canConfigure={canConfigure} /> : null}
          </div>
        )}
      </QueryState>
    </section>
  );
}

export function statusWord(status: string | null | undefined): string {
  return status && ["healthy", "warning", "drifted"].includes(status) ? status : "unknown";
}
