// The monitor's reference: what it holds, and a new one from a past window of the model's own
// spans or from an uploaded JSON file (the API's reference body: features, predictions, labels…).
import { useState } from "react";
import { ErrorView } from "../components/ErrorView";
import { count, when } from "../viz/format";
import { Panel } from "../viz/States";
import { useReference, useUploadReference, type ReferenceUpload } from "./api";
import { isApiError } from "../api/errors";

export function ReferencePanel({ project, model, canConfigure }: { project: string; model: string; canConfigure: boolean }) {
  const reference = useReference(project, model);
  const upload = useUploadReference(project);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [fileError, setFileError] = useState<string | null>(null);
  const send = (body: ReferenceUpload) => upload.mutate({ model, body });
  const fromFile = async (file: File | undefined) => {
    setFileError(null);
    if (!file) return;
    try {
      send(JSON.parse(await file.text()) as ReferenceUpload);
    } catch (err) {
      setFileError(`${file.name} is not JSON: ${String(err)}`);
    }
  };
  const r = reference.data;
  return (
    <Panel title="Reference" id="drift-reference">
      {reference.isPending ? <p className="muted">Loading the reference…</p>
        : reference.isError ? (isApiError(reference.error) && reference.error.kind === "not_found"
          ? <p className="muted">No reference yet: runs are skipped until one is set.</p> : <ErrorView error={reference.error} />)
        : r && <p className="small">{r.source} · {count(r.row_count)} rows · window {when(r.window_start)} – {when(r.window_end)} · set {when(r.created_at)} by {r.created_by}</p>}
      {canConfigure && (
        <div className="stack-v" style={{ gap: 8 }}>
          <form className="form" aria-label="Reference from a past window" onSubmit={(e) => {
            e.preventDefault();
            send({ window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() }, mode: "replace" });
          }}>
            <label>From<input type="datetime-local" required value={start} onChange={(e) => setStart(e.target.value)} /></label>
            <label>To<input type="datetime-local" required value={end} onChange={(e) => setEnd(e.target.value)} /></label>
            <div className="form-actions"><button type="submit" className="btn" disabled={upload.isPending}>Use this window</button></div>
          </form>
          <label className="small">Upload a reference (JSON: features, predictions, labels, embeddings)
            <input type="file" accept="application/json,.json" onChange={(e) => void fromFile(e.target.files?.[0])} />
          </label>
          {fileError && <p className="err-text small" role="alert">{fileError}</p>}
          {upload.isError && <ErrorView error={upload.error} />}
          {upload.isSuccess && <p className="ok-text small" role="status">Reference saved ({count(upload.data.row_count)} rows).</p>}
        </div>
      )}
    </Panel>
  );
}
