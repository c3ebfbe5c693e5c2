// Budgets: each with its status bar (spend of limit, projected end-of-period spend), its alerts,
// and a create/edit form for roles holding costs:configure.
import { useState } from "react";
import { ErrorView } from "../components/ErrorView";
import { pct, toNumber, usd, when } from "../viz/format";
import { Meter } from "../viz/Meter";
import { Panel, QueryState } from "../viz/States";
import { useBudgetAlerts, useBudgets, useBudgetStatus, useDeleteBudget, useSaveBudget, type Budget, type BudgetRequest } from "./api";

const DIMS = ["global", "model", "user", "feature", "team", "environment"] as const;
const PERIODS = ["hourly", "daily", "weekly", "monthly"] as const;

export function Budgets({ project, canEdit }: { project: string; canEdit: boolean }) {
  const budgets = useBudgets(project);
  const [editing, setEditing] = useState<Budget | "new" | null>(null);
  return (
    <Panel title="Budgets" id="budgets" actions={canEdit && editing === null &&
      <button type="button" className="btn btn-small" onClick={() => setEditing("new")}>New budget</button>}>
      {editing !== null && <BudgetForm project={project} budget={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />}
      <QueryState query={budgets} what="budgets" isEmpty={(b) => b.length === 0} empty="No budgets yet.">
        {(list) => (
          <table className="data" aria-label="Budgets">
            <thead><tr><th>Name</th><th>Scope</th><th>Period</th><th>Used</th><th className="r">Spend / limit</th><th>Projected</th><th /></tr></thead>
            <tbody>{list.map((b) => <BudgetRow key={b.id} project={project} budget={b} canEdit={canEdit} onEdit={() => setEditing(b)} />)}</tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}

function BudgetRow({ project, budget, canEdit, onEdit }: { project: string; budget: Budget; canEdit: boolean; onEdit: () => void }) {
  const status = useBudgetStatus(project, budget.id);
  const [showAlerts, setShowAlerts] = useState(false);
  const remove = useDeleteBudget(project);
  const s = status.data;
  return (
    <>
      <tr data-testid="budget-row">
        <td>{budget.name}{budget.enabled === false && <span className="badge">off</span>}</td>
        <td>{budget.dimension}{budget.value ? `: ${budget.value}` : ""}</td>
        <td>{budget.period}</td>
        <td>{s ? <><Meter value={toNumber(s.percent_used)} max={100} label={`${budget.name} used`} /> <span className="small">{pct(toNumber(s.percent_used))}</span></>
          : status.isError ? <span className="err-text small">status unavailable</span> : <span className="muted small">…</span>}</td>
        <td className="r">{s ? `${usd(toNumber(s.spend_usd))} / ${usd(toNumber(s.limit_usd))}` : usd(toNumber(budget.limit_usd))}</td>
        <td className="small">{s?.projection ? <>{usd(toNumber(s.projection.spend_usd))}{toNumber(s.projection.overage_usd) > 0 && <span className="err-text"> (over by {usd(toNumber(s.projection.overage_usd))})</span>}</> : "–"}</td>
        <td><div className="card-actions">
          <button type="button" className="btn btn-small" aria-expanded={showAlerts} onClick={() => setShowAlerts(!showAlerts)}>Alerts</button>
          {canEdit && <button type="button" className="btn btn-small" onClick={onEdit} aria-label={`Edit budget ${budget.name}`}>Edit</button>}
          {canEdit && <button type="button" className="btn btn-small" aria-label={`Delete budget ${budget.name}`}
            onClick={() => { if (confirm(`Delete budget “${budget.name}”?`)) remove.mutate(budget.id); }}>Delete</button>}
        </div></td>
      </tr>
      {showAlerts && <tr><td colSpan={7}><BudgetAlerts project={project} id={budget.id} /></td></tr>}
    </>
  );
}

function BudgetAlerts({ project, id }: { project: string; id: number }) {
  const alerts = useBudgetAlerts(project, id, true);
  return (
    <QueryState query={alerts} what="alerts" isEmpty={(a) => a.length === 0} empty="No threshold crossed yet.">
      {(list) => (
        <ul className="small">
          {list.map((a) => (
            <li key={a.id}>{when(a.created_at)}: {pct(toNumber(a.threshold), 0)} threshold, {pct(toNumber(a.percent_used))} used
              {a.notified ? " · notified" : ""}{(a.deliveries ?? []).map((d) => ` · ${d.target}: ${d.status}`).join("")}</li>
          ))}
        </ul>
      )}
    </QueryState>
  );
}

function BudgetForm({ project, budget, onDone }: { project: string; budget?: Budget; onDone: () => void }) {
  const save = useSaveBudget(project);
  const [name, setName] = useState(budget?.name ?? "");
  const [dimension, setDimension] = useState<string>(budget?.dimension ?? "global");
  const [value, setValue] = useState(budget?.value ?? "");
  const [period, setPeriod] = useState<string>(budget?.period ?? "monthly");
  const [limit, setLimit] = useState(budget ? String(budget.limit_usd) : "");
  const [thresholds, setThresholds] = useState((budget?.thresholds ?? [50, 80, 100]).join(", "));
  const submit = () => {
    const body = {
      name, dimension, period, limit_usd: limit.trim(),
      ...(dimension !== "global" ? { value } : {}),
      thresholds: thresholds.split(",").map((t) => Number(t.trim())).filter((t) => Number.isFinite(t) && t > 0),
    } as BudgetRequest;
    save.mutate({ id: budget?.id, body }, { onSuccess: onDone });
  };
  return (
    <form className="form card" aria-label={budget ? "Edit budget" : "New budget"} onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <label>Name<input required value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label>Scope<select value={dimension} onChange={(e) => setDimension(e.target.value)}>{DIMS.map((d) => <option key={d}>{d}</option>)}</select></label>
      {dimension !== "global" && <label>Value<input required value={value} onChange={(e) => setValue(e.target.value)} placeholder={`the ${dimension}`} /></label>}
      <label>Period<select value={period} onChange={(e) => setPeriod(e.target.value)}>{PERIODS.map((p) => <option key={p}>{p}</option>)}</select></label>
      <label>Limit (USD)<input required inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} /></label>
      <label>Alert thresholds (% of limit)<input value={thresholds} onChange={(e) => setThresholds(e.target.value)} /></label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>{budget ? "Save budget" : "Create budget"}</button>
        <button type="button" className="btn" onClick={onDone}>Cancel</button>
      </div>
      {save.isError && <div style={{ gridColumn: "1 / -1" }}><ErrorView error={save.error} /></div>}
    </form>
  );
}
