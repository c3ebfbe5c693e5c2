// Members and their roles; project admins add existing users, change roles and remove members.
import { useState } from "react";
import { ErrorView } from "../components/ErrorView";
import { when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import { ROLES, useAddMember, useChangeRole, useMembers, useRemoveMember, type Role } from "./api";

export function Members({ project, canAdmin }: { project: string; canAdmin: boolean }) {
  const members = useMembers(project);
  const add = useAddMember(project);
  const change = useChangeRole(project);
  const remove = useRemoveMember(project);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const failed = add.error ?? change.error ?? remove.error;
  return (
    <Panel title="Members" id="members">
      {canAdmin && (
        <form className="form" aria-label="Add member" style={{ marginBottom: 10 }} onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail("") });
        }}>
          <label>Email<input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
          <label>Role<select value={role} onChange={(e) => setRole(e.target.value as Role)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
          <div className="form-actions"><button type="submit" className="btn btn-primary" disabled={add.isPending}>Add member</button></div>
        </form>
      )}
      {failed && <ErrorView error={failed} />}
      <QueryState query={members} what="members" isEmpty={(m) => m.length === 0}>
        {(list) => (
          <table className="data" aria-label="Members">
            <thead><tr><th>Member</th><th>Role</th><th>Since</th>{canAdmin && <th />}</tr></thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.id} data-testid="member-row">
                  <td>{m.display_name || m.email} <span className="muted small">{m.email}</span></td>
                  <td>{canAdmin ? (
                    <select value={m.role} aria-label={`Role of ${m.email}`} onChange={(e) => change.mutate({ id: m.id, role: e.target.value as Role })}>
                      {ROLES.map((r) => <option key={r}>{r}</option>)}
                    </select>
                  ) : m.role}</td>
                  <td>{when(m.created_at)}</td>
                  {canAdmin && <td><button type="button" className="btn btn-small" aria-label={`Remove ${m.email}`}
                    onClick={() => { if (confirm(`Remove ${m.email} from ${project}?`)) remove.mutate(m.id); }}>Remove</button></td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}
