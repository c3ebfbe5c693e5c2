// Alert rules: the list, and the editor (new / edit) for roles holding alerts:write.
import { useState } from "react";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { ErrorView } from "../components/ErrorView";
import { when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import "../viz/viz.css";
import { useDeleteRule, useRules, type Rule } from "./api";
import { AlertingTabs, DeleteButton, NoWrite } from "./common";
import { RuleEditor } from "./RuleEditor";

function summary(rule: Rule): string {
  const c = (rule.config ?? {}) as Record<string, unknown>;
  if (rule.rule_type === "threshold") return `${String(c.metric)} ${String(c.operator)} ${String(c.value)} over ${String(c.window ?? "5m")}`;
  if (rule.rule_type === "composite") return String(c.expression ?? "");
  if (rule.rule_type === "pattern") return `${String(c.field)} ~ ${String(c.pattern)}`;
  return `${String(c.metric ?? "")} (${rule.rule_type})`;
}

export default function RulesPage() {
  const { slug, role } = useProject();
  const canWrite = can(role, "alerts:write");
  const rules = useRules(slug);
  const remove = useDeleteRule(slug);
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Alert rules</h1>
      <AlertingTabs project={slug} />
      {!canWrite && <NoWrite what="create or change rules" />}
      {editing !== null && <RuleEditor key={editing === "new" ? "new" : editing.id} project={slug} rule={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />}
      <Panel title="Rules" id="rules" actions={canWrite && editing === null &&
        <button type="button" className="btn btn-small" onClick={() => setEditing("new")}>New rule</button>}>
        {remove.isError && <ErrorView error={remove.error} />}
        <QueryState query={rules} what="rules" isEmpty={(r) => r.length === 0} empty="No rules yet: nothing is evaluated.">
          {(list) => (
            <table className="data" aria-label="Alert rules">
              <thead><tr><th>#</th><th>Name</th><th>Type</th><th>Condition</th><th>Severity</th><th>Every</th><th>Last evaluated</th>{canWrite && <th />}</tr></thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id} data-testid="rule-row">
                    <td className="small muted">{r.id}</td>
                    <td>{r.name}{r.enabled === false && <span className="badge">off</span>}{r.last_error && <span className="err-text small" title={r.last_error}> error</span>}</td>
                    <td>{r.rule_type}</td><td className="mono small">{summary(r)}</td><td>{r.severity}</td>
                    <td>{r.evaluation_interval}</td><td className="small">{when(r.last_evaluated_at)}</td>
                    {canWrite && <td><div className="card-actions">
                      <button type="button" className="btn btn-small" aria-label={`Edit rule ${r.name}`} onClick={() => setEditing(r)}>Edit</button>
                      <DeleteButton what="rule" name={r.name} onDelete={() => remove.mutate(r.id)} />
                    </div></td>}
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
