// Notification channels (webhooks budgets and drift monitors post to): list, create, edit, delete,
// and send a test notification through one (the channel's own delivery code) to check it works.
import { useState } from "react";
import { ErrorView } from "../components/ErrorView";
import { when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import { useChannels, useDeleteChannel, useSaveChannel, useTestChannel, type Channel } from "./api";
import { Missing } from "./Missing";

export function Channels({ project, canRead, canWrite }: { project: string; canRead: boolean; canWrite: boolean }) {
  const channels = useChannels(project, canRead);
  const remove = useDeleteChannel(project);
  const test = useTestChannel(project);
  const [editing, setEditing] = useState<Channel | "new" | null>(null);
  if (!canRead) return <Panel title="Notification channels" id="channels"><Missing permission="alerts:read" what="see notification channels" /></Panel>;
  return (
    <Panel title="Notification channels" id="channels" actions={canWrite && editing === null &&
      <button type="button" className="btn btn-small" onClick={() => setEditing("new")}>New channel</button>}>
      {editing !== null && <ChannelForm project={project} channel={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />}
      {remove.isError && <ErrorView error={remove.error} />}
      {test.isError && <ErrorView error={test.error} />}
      {test.data && (
        <p className={`notice ${test.data.delivered ? "" : "notice-error"}`} role="status" data-testid="channel-test-result">
          {test.data.delivered
            ? `Test notification delivered (HTTP ${test.data.response_status}).`
            : `Test notification not delivered: ${test.data.error}`}
        </p>
      )}
      <QueryState query={channels} what="notification channels" isEmpty={(c) => c.length === 0} empty="No channels: budgets and drift monitors have nowhere to post alerts.">
        {(list) => (
          <table className="data" aria-label="Notification channels">
            <thead><tr><th>Name</th><th>Kind</th><th>URL</th><th>Enabled</th><th>Created</th>{canWrite && <th />}</tr></thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td><td>{c.kind ?? "webhook"}</td><td className="mono small">{c.url}</td>
                  <td>{c.enabled === false ? "no" : "yes"}</td><td>{when(c.created_at)}</td>
                  {canWrite && <td><div className="card-actions">
                    <button type="button" className="btn btn-small" aria-label={`Send a test notification to ${c.name}`}
                      disabled={test.isPending} onClick={() => test.mutate(c.id)}>Test</button>
                    <button type="button" className="btn btn-small" aria-label={`Edit channel ${c.name}`} onClick={() => setEditing(c)}>Edit</button>
                    <button type="button" className="btn btn-small" aria-label={`Delete channel ${c.name}`}
                      onClick={() => { if (confirm(`Delete channel “${c.name}”?`)) remove.mutate(c.id); }}>Delete</button>
                  </div></td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}

function ChannelForm({ project, channel, onDone }: { project: string; channel?: Channel; onDone: () => void }) {
  const save = useSaveChannel(project);
  const [name, setName] = useState(channel?.name ?? "");
  const [url, setUrl] = useState(channel?.url ?? "");
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  return (
    <form className="form card" aria-label={channel ? "Edit channel" : "New channel"} style={{ marginBottom: 10 }} onSubmit={(e) => {
      e.preventDefault();
      save.mutate({ id: channel?.id, body: { name: name.trim(), url: url.trim(), enabled } }, { onSuccess: onDone });
    }}>
      <label>Name<input required value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label>Webhook URL<input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/pyflare" /></label>
      <label style={{ flexDirection: "row", alignItems: "center" }}><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled</label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>{channel ? "Save channel" : "Create channel"}</button>
        <button type="button" className="btn" onClick={onDone}>Cancel</button>
      </div>
      {save.isError && <div style={{ gridColumn: "1 / -1" }}><ErrorView error={save.error} /></div>}
    </form>
  );
}
