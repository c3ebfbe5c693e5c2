// API keys: create (the secret is shown once, with copy), list with status and last use, revoke.
import { useState } from "react";
import { CopyButton } from "../components/CopyButton";
import { ErrorView } from "../components/ErrorView";
import { when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import { ROLES, useApiKeys, useCreateKey, useRevokeKey, type ApiKeyCreated, type Role } from "./api";
import { Missing } from "./Missing";

export function ApiKeys({ project, canManage }: { project: string; canManage: boolean }) {
  const keys = useApiKeys(project, canManage);
  const create = useCreateKey(project);
  const revoke = useRevokeKey(project);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("developer");
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  if (!canManage) return <Panel title="API keys" id="api-keys"><Missing permission="apikeys:manage" what="list and create API keys" /></Panel>;
  return (
    <Panel title="API keys" id="api-keys">
      <form className="form" aria-label="Create API key" style={{ marginBottom: 10 }} onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: name.trim(), role }, { onSuccess: (key) => { setCreated(key); setName(""); } });
      }}>
        <label>Key name<input required value={name} onChange={(e) => setName(e.target.value)} placeholder="ci exporter" /></label>
        <label>Role<select value={role} onChange={(e) => setRole(e.target.value as Role)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <div className="form-actions"><button type="submit" className="btn btn-primary" disabled={create.isPending}>Create API key</button></div>
      </form>
      {create.isError && <ErrorView error={create.error} />}
      {revoke.isError && <ErrorView error={revoke.error} />}
      {created && (
        <div className="secret" role="status" data-testid="new-key">
          <div style={{ flex: 1 }}>
            <div className="small"><strong>{created.name}</strong>: copy this key now, it is not shown again.</div>
            <code data-testid="new-key-value">{created.key}</code>
          </div>
          <CopyButton text={created.key} label="Copy the new API key" />
          <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
      <QueryState query={keys} what="API keys" isEmpty={(k) => k.length === 0}>
        {(list) => (
          <table className="data" aria-label="API keys">
            <thead><tr><th>Name</th><th>Prefix</th><th>Role</th><th>Status</th><th>Created</th><th>Last used</th><th /></tr></thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.id} data-testid="key-row">
                  <td>{k.name}</td><td className="mono">{k.prefix}…</td><td>{k.role ?? "–"}</td>
                  <td><span className={`status status-${k.status}`}>{k.status}</span></td>
                  <td>{when(k.created_at)} <span className="small muted">{k.created_by}</span></td><td>{when(k.last_used_at)}</td>
                  <td>{k.status === "active" && (
                    <button type="button" className="btn btn-small" aria-label={`Revoke ${k.name}`}
                      onClick={() => { if (confirm(`Revoke “${k.name}”? Calls with it will be refused.`)) revoke.mutate(k.id); }}>Revoke</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}
