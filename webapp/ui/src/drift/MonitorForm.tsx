// Create a monitor (new model id) or edit one: window, features, method and thresholds.
import { useState } from "react";
import { ErrorView, Loading } from "../components/ErrorView";
import { useMonitor, useSaveMonitor, type Monitor, type MonitorRequest } from "./api";

export function MonitorForm({ project, model, onDone }: { project: string; model?: string; onDone: (model?: string) => void }) {
  const existing = useMonitor(project, model ?? "", !!model);
  if (model && existing.isPending) return <Loading what="Loading the monitor" />;
  if (model && existing.isError) return <ErrorView error={existing.error} />;
  return <Form project={project} model={model} monitor={existing.data} onDone={onDone} />;
}

function Form({ project, model, monitor, onDone }: { project: string; model?: string; monitor?: Monitor; onDone: (model?: string) => void }) {
  const save = useSaveMonitor(project);
  const [modelId, setModelId] = useState(model ?? "");
  const [window, setWindow] = useState(String(monitor?.window ?? "1h"));
  const [features, setFeatures] = useState((monitor?.features ?? []).join(", "));
  const [method, setMethod] = useState(monitor?.method ?? "");
  const [share, setShare] = useState(monitor?.drift_share !== undefined ? String(monitor.drift_share) : "");
  const [minSamples, setMinSamples] = useState(monitor?.min_samples !== undefined ? String(monitor.min_samples) : "");
  const [enabled, setEnabled] = useState(monitor?.enabled ?? true);
  const submit = () => {
    const body: MonitorRequest = {
      enabled, window: /^\d+$/.test(window.trim()) ? Number(window) : window.trim(),
      features: features.split(",").map((f) => f.trim()).filter(Boolean),
      ...(method.trim() ? { method: method.trim() } : {}),
      ...(share.trim() ? { drift_share: Number(share) } : {}),
      ...(minSamples.trim() ? { min_samples: Number(minSamples) } : {}),
    };
    const id = modelId.trim();
    save.mutate({ model: id, body }, { onSuccess: () => onDone(id) });
  };
  return (
    <form className="form card" aria-label={model ? `Monitor of ${model}` : "New monitor"} onSubmit={(e) => { e.preventDefault(); submit(); }}>
      {!model && <label>Model id<input required value={modelId} onChange={(e) => setModelId(e.target.value)} placeholder="churn-classifier" /></label>}
      <label>Window<input required value={window} onChange={(e) => setWindow(e.target.value)} placeholder="1h" /></label>
      <label>Features (comma-separated, empty: all)<input value={features} onChange={(e) => setFeatures(e.target.value)} /></label>
      <label>Method<input value={method} onChange={(e) => setMethod(e.target.value)} placeholder="default per type" /></label>
      <label>Drift share<input inputMode="decimal" value={share} onChange={(e) => setShare(e.target.value)} placeholder="0.5" /></label>
      <label>Minimum rows<input inputMode="numeric" value={minSamples} onChange={(e) => setMinSamples(e.target.value)} /></label>
      <label style={{ flexDirection: "row", alignItems: "center" }}><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled</label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>{model ? "Save monitor" : "Create monitor"}</button>
        <button type="button" className="btn" onClick={() => onDone()}>Cancel</button>
      </div>
      {save.isError && <div style={{ gridColumn: "1 / -1" }}><ErrorView error={save.error} /></div>}
    </form>
  );
}
