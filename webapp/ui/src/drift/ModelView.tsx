// One monitored model: status and severity, score per drift type with its trend, the timeline,
// the feature × window heatmap and the latest window's per-feature distributions.
import { useMemo, useState } from "react";
import { ErrorView, Loading } from "../components/ErrorView";
import { num, when } from "../viz/format";
import { Lines } from "../viz/Lines";
import { Meter } from "../viz/Meter";
import { Panel, QueryState } from "../viz/States";
import { useDriftStatus, useFeatureHistories, useFeatureScores, useHistory, useRunNow, type DriftStatus } from "./api";
import { statusWord } from "./DriftPage";
import { Features } from "./Features";
import { HeatmapView } from "./HeatmapView";
import { MonitorForm } from "./MonitorForm";
import { ReferencePanel } from "./ReferencePanel";
import { heatmap, typeSeries } from "./shape";

const TYPES = ["feature", "prediction", "concept", "embedding"] as const;
const COLORS: Record<string, string> = { feature: "#3b82f6", prediction: "#a855f7", concept: "#14b8a6", embedding: "#f59e0b" };
const TREND: Record<string, string> = { increasing: "↑ rising", decreasing: "↓ falling", stable: "→ stable" };

export function ModelView({ project, model, canConfigure }: { project: string; model: string; canConfigure: boolean }) {
  const status = useDriftStatus(project, model);
  const history = useHistory(project, model);
  const run = useRunNow(project);
  const [editing, setEditing] = useState(false);
  const points = history.data?.points;
  const series = useMemo(() => typeSeries(points ?? []), [points]);
  const scores = useFeatureScores(project, model);
  const featureNames = useMemo(() => (scores.data?.features ?? []).map((f) => f.feature), [scores.data]);
  const histories = useFeatureHistories(project, model, featureNames);
  const heat = useMemo(() => heatmap(histories.points), [histories.points]);
  return (
    <div className="stack-v" style={{ minWidth: 0 }}>
      <Panel title={model} id="drift-model" actions={canConfigure && <>
        <button type="button" className="btn btn-small" onClick={() => run.mutate(model)} disabled={run.isPending}>Run now</button>
        <button type="button" className="btn btn-small" aria-expanded={editing} onClick={() => setEditing(!editing)}>Edit monitor</button>
      </>}>
        {run.isError && <ErrorView error={run.error} />}
        {run.isSuccess && <p className="small" role="status">{"status" in run.data ? `Run: ${run.data.status}${run.data.reason ? ` (${run.data.reason})` : ""}` : "Run queued."}</p>}
        {editing && <MonitorForm project={project} model={model} onDone={() => setEditing(false)} />}
        <QueryState query={status} what="drift status">
          {(s) => <StatusBlock s={s} />}
        </QueryState>
      </Panel>
      <QueryState query={status} what="drift scores">
        {(s) => (
          <div className="kpis" aria-label="Score per drift type">
            {TYPES.map((t) => <TypeCard key={t} type={t} s={s} series={series.find((x) => x.type === t)?.points ?? []} skipped={s.skipped?.[t]} />)}
          </div>
        )}
      </QueryState>
      <Panel title="Timeline" id="drift-timeline">
        <QueryState query={history} what="drift history" isEmpty={(h) => h.points.length === 0} empty="No run has scored a window yet.">
          {() => (
            <Lines label="Score per drift type per window" series={series.map((s) => ({
              name: s.type, color: COLORS[s.type] ?? "#64748b",
              points: s.points.map((p) => ({ x: p.window, y: p.score, flagged: p.drifted })),
            }))} />
          )}
        </QueryState>
      </Panel>
      <Panel title="Features × windows" id="drift-heatmap">
        {histories.error ? <ErrorView error={histories.error} />
          : scores.isPending || histories.isPending ? <Loading what="Loading feature history" />
          : heat.features.length === 0 ? <p className="muted" data-testid="empty">No feature has been scored yet.</p>
          : <HeatmapView map={heat} />}
      </Panel>
      <Features project={project} model={model} />
      <ReferencePanel project={project} model={model} canConfigure={canConfigure} />
    </div>
  );
}

function StatusBlock({ s }: { s: DriftStatus }) {
  if (!s.has_results) return <p className="muted" data-testid="drift-status">Not scored yet: the monitor needs a reference and a window with enough rows.</p>;
  return (
    <div className="stack-v" style={{ gap: 8 }}>
      <div className="card-actions">
        <span className={`status status-${statusWord(s.overall_status)}`} data-testid="drift-status">{s.overall_status}</span>
        <span className="small">severity {num(s.severity, 2)}</span>
        <div style={{ width: 180 }}><Meter value={s.severity} label="severity" level={s.severity >= 0.5 ? "bad" : s.severity >= 0.3 ? "warn" : "ok"} /></div>
        <span className="small muted">window {when(s.window_start)} – {when(s.window_end)} · updated {when(s.last_updated)}</span>
      </div>
      <p className="small" data-testid="drifted-features">
        {s.drifted_features.length ? <>Drifted features: <strong>{s.drifted_features.join(", ")}</strong></> : "No feature drifted in the latest window."}
      </p>
    </div>
  );
}

function TypeCard({ type, s, series, skipped }: { type: string; s: DriftStatus; series: { score: number }[]; skipped?: unknown }) {
  const score = s.drift_scores?.[type as keyof DriftStatus["drift_scores"]];
  return (
    <div className="kpi" data-testid={`drift-type-${type}`}>
      <div className="kpi-label">{type} drift</div>
      {score ? (
        <>
          <div className={`kpi-value ${score.is_drifted ? "err-text" : ""}`}>{num(score.score, 3)}</div>
          <div className="kpi-sub">threshold {num(score.threshold, 3)} · {score.method} · {TREND[score.trend] ?? score.trend}</div>
          <div className="kpi-sub">{score.is_drifted ? "drifted" : "within threshold"}{series.length > 1 ? ` · ${series.length} windows` : ""}</div>
        </>
      ) : <div className="kpi-sub">{skipped ? `skipped: ${typeof skipped === "string" ? skipped : JSON.stringify(skipped)}` : "not scored"}</div>}
    </div>
  );
}
