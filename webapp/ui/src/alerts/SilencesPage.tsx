// Silences: active / pending / expired, a new-silence form (matchers, start, end, comment) and
// expire, for roles holding alerts:write.
import { useState } from "react";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { ErrorView } from "../components/ErrorView";
import { when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import "../viz/viz.css";
import { useExpireSilence, useSilences, type Silence } from "./api";
import { AlertingTabs, NoWrite } from "./common";
import { SilenceForm } from "./SilenceForm";

const STATES = ["active", "pending", "expired"] as const;

export default function SilencesPage() {
  const { slug, role } = useProject();
  const canWrite = can(role, "alerts:write");
  const silences = useSilences(slug);
  const expire = useExpireSilence(slug);
  const [creating, setCreating] = useState(false);
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Silences</h1>
      <AlertingTabs project={slug} />
      {!canWrite && <NoWrite what="create or expire silences" />}
      {creating && <SilenceForm project={slug} onDone={() => setCreating(false)} />}
      {expire.isError && <ErrorView error={expire.error} />}
      <QueryState query={silences} what="silences">
        {(list) => (
          <>
            {STATES.map((state) => (
              <Panel key={state} title={`${state[0]!.toUpperCase()}${state.slice(1)} silences`} id={`silences-${state}`}
                actions={state === "active" && canWrite && !creating && <button type="button" className="btn btn-small" onClick={() => setCreating(true)}>New silence</button>}>
                <SilenceTable list={list.filter((s) => s.state === state)} canExpire={canWrite && state !== "expired"}
                  onExpire={(s) => expire.mutate(s.id)} busy={expire.isPending} />
              </Panel>
            ))}
          </>
        )}
      </QueryState>
    </section>
  );
}

function SilenceTable({ list, canExpire, onExpire, busy }: { list: Silence[]; canExpire: boolean; onExpire: (s: Silence) => void; busy: boolean }) {
  if (!list.length) return <div className="empty-inline muted">None.</div>;
  return (
    <table className="data" aria-label="Silences">
      <thead><tr><th>Matchers</th><th>Starts</th><th>Ends</th><th>By</th><th>Comment</th>{canExpire && <th />}</tr></thead>
      <tbody>
        {list.map((s) => (
          <tr key={s.id} data-testid="silence-row" data-state={s.state}>
            <td>{s.matchers.map((m) => <span key={m} className="chip small mono">{m}</span>)}</td>
            <td className="small">{when(s.starts_at)}</td><td className="small">{when(s.ends_at)}</td>
            <td className="small">{s.created_by}</td><td>{s.comment}</td>
            {canExpire && <td><button type="button" className="btn btn-small" disabled={busy} aria-label={`Expire silence ${s.id}`}
              onClick={() => onExpire(s)}>Expire</button></td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
