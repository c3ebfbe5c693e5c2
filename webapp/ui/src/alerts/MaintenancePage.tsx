// Maintenance windows: the list (in force now or not), a form for a one-off window (start, end) or a
// recurring one (weekdays, local times, time zone), each for some models or all, and delete.
import { useState } from "react";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { ErrorView } from "../components/ErrorView";
import { when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import "../viz/viz.css";
import { useCreateWindow, useDeleteWindow, useWindows, type MaintenanceWindow, type WindowBody } from "./api";
import { AlertingTabs, DeleteButton, FieldError, isoFromLocal, NoWrite, serverErrors } from "./common";

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function schedule(w: MaintenanceWindow): string {
  const days = (w.weekdays ?? []) as number[];
  const times = (w.times ?? []) as string[][];
  if (days.length || times.length) {
    return `${days.length ? days.map((d) => DAYS[d]).join(", ") : "every day"} ${times.map(([a, b]) => `${a}–${b}`).join(", ")} (${w.timezone})`;
  }
  return `${when(w.starts_at)} – ${when(w.ends_at)}`;
}

export default function MaintenancePage() {
  const { slug, role } = useProject();
  const canWrite = can(role, "alerts:write");
  const windows = useWindows(slug);
  const remove = useDeleteWindow(slug);
  const [creating, setCreating] = useState(false);
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Maintenance windows</h1>
      <AlertingTabs project={slug} />
      {!canWrite && <NoWrite what="create or delete maintenance windows" />}
      {creating && <WindowForm project={slug} onDone={() => setCreating(false)} />}
      <Panel title="Windows" id="windows" actions={canWrite && !creating &&
        <button type="button" className="btn btn-small" onClick={() => setCreating(true)}>New window</button>}>
        {remove.isError && <ErrorView error={remove.error} />}
        <QueryState query={windows} what="maintenance windows" isEmpty={(l) => l.length === 0} empty="No maintenance windows.">
          {(list) => (
            <table className="data" aria-label="Maintenance windows">
              <thead><tr><th>Name</th><th>When</th><th>Models</th><th>Now</th>{canWrite && <th />}</tr></thead>
              <tbody>
                {list.map((w) => (
                  <tr key={w.id} data-testid="window-row">
                    <td>{w.name}{w.enabled === false && <span className="badge">off</span>}</td>
                    <td className="small">{schedule(w)}</td>
                    <td className="small">{((w.model_ids ?? []) as string[]).join(", ") || "all models"}</td>
                    <td>{w.active ? <span className="status status-drifted">in force</span> : <span className="muted small">no</span>}</td>
                    {canWrite && <td><DeleteButton what="maintenance window" name={w.name} onDelete={() => remove.mutate(w.id)} /></td>}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryState>
      </Panel>
    </section>
  );
}

function WindowForm({ project, onDone }: { project: string; onDone: () => void }) {
  const create = useCreateWindow(project);
  const [name, setName] = useState("");
  const [recurring, setRecurring] = useState(true);
  const [models, setModels] = useState("");
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [days, setDays] = useState<number[]>([]);
  const [from, setFrom] = useState("22:00");
  const [to, setTo] = useState("24:00");
  const [zone, setZone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  const errors = serverErrors(create.error);
  const submit = () => {
    const body: WindowBody = {
      name: name.trim(), timezone: zone.trim(), enabled: true,
      model_ids: models.split(",").map((m) => m.trim()).filter(Boolean),
      ...(recurring ? { weekdays: [...days].sort(), times: [[from, to]] } : { starts_at: isoFromLocal(start) ?? null, ends_at: isoFromLocal(end) ?? null }),
    };
    create.mutate(body, { onSuccess: onDone });
  };
  return (
    <form className="form card" aria-label="New maintenance window" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <label>Name<input required value={name} onChange={(e) => setName(e.target.value)} /><FieldError errors={errors} field="name" /></label>
      <label>Models (comma-separated; empty: all)<input value={models} onChange={(e) => setModels(e.target.value)} /><FieldError errors={errors} field="model_ids" /></label>
      <fieldset style={{ gridColumn: "1 / -1" }}>
        <legend>Kind</legend>
        <label style={{ flexDirection: "row", display: "inline-flex", marginRight: 12 }}><input type="radio" checked={recurring} onChange={() => setRecurring(true)} /> Recurring</label>
        <label style={{ flexDirection: "row", display: "inline-flex" }}><input type="radio" checked={!recurring} onChange={() => setRecurring(false)} /> One-off</label>
      </fieldset>
      {recurring ? (
        <>
          <fieldset style={{ gridColumn: "1 / -1" }}>
            <legend>Weekdays (none: every day)</legend>
            {DAYS.map((d, i) => (
              <label key={d} style={{ flexDirection: "row", display: "inline-flex", marginRight: 10 }}>
                <input type="checkbox" checked={days.includes(i)} onChange={(e) => setDays(e.target.checked ? [...days, i] : days.filter((x) => x !== i))} /> {d}
              </label>
            ))}
            <FieldError errors={errors} field="weekdays" />
          </fieldset>
          <label>From (local)<input value={from} onChange={(e) => setFrom(e.target.value)} placeholder="22:00" /></label>
          <label>To (local)<input value={to} onChange={(e) => setTo(e.target.value)} placeholder="24:00" /><FieldError errors={errors} field="times" /></label>
          <label>Time zone<input value={zone} onChange={(e) => setZone(e.target.value)} /><FieldError errors={errors} field="timezone" /></label>
        </>
      ) : (
        <>
          <label>Starts<input type="datetime-local" required value={start} onChange={(e) => setStart(e.target.value)} /><FieldError errors={errors} field="starts_at" /></label>
          <label>Ends<input type="datetime-local" required value={end} onChange={(e) => setEnd(e.target.value)} /><FieldError errors={errors} field="ends_at" /></label>
        </>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>Create window</button>
        <button type="button" className="btn" onClick={onDone}>Cancel</button>
      </div>
      {create.isError && <div style={{ gridColumn: "1 / -1" }}>{Object.keys(errors).length ? <FieldError errors={errors} field="non_field_errors" /> : <ErrorView error={create.error} />}</div>}
    </form>
  );
}
