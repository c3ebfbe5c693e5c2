// What the alerting pages share: the section's tabs, a field's server message, the missing-write
// notice and small time helpers for datetime-local inputs.
import { NavLink } from "react-router";
import { isApiError } from "../api/errors";
import { pageHref } from "../app/routes";
import { fieldErrors, type FieldErrors } from "./ruleForm";

const SECTIONS = [
  { id: "alerts", label: "Alerts" },
  { id: "alert-rules", label: "Rules" },
  { id: "alert-silences", label: "Silences" },
  { id: "alert-maintenance", label: "Maintenance windows" },
];

export function AlertingTabs({ project }: { project: string }) {
  return (
    <nav className="tabs" aria-label="Alerting sections">
      {SECTIONS.map((s) => <NavLink key={s.id} to={pageHref(project, s.id)} end>{s.label}</NavLink>)}
    </nav>
  );
}

/** The per-field messages of a failed write (a 400's details), merged over the form's own checks. */
export function serverErrors(error: unknown): FieldErrors {
  return isApiError(error) && error.status === 400 ? fieldErrors(error.details) : {};
}

export function FieldError({ errors, field }: { errors: FieldErrors; field: string }) {
  const text = errors[field];
  return text ? <span className="form-error small" role="alert" data-testid={`error-${field}`}>{text}</span> : null;
}

export function NoWrite({ what }: { what: string }) {
  return <p className="muted small" data-testid="missing-write">Your role lacks “alerts:write”, needed to {what}.</p>;
}

/** A Date as the value of a datetime-local input (local time, minutes). */
export function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function isoFromLocal(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Delete after the user confirms, with an accessible name saying what goes. */
export function DeleteButton({ what, name, onDelete }: { what: string; name: string; onDelete: () => void }) {
  return (
    <button type="button" className="btn btn-small" aria-label={`Delete ${what} ${name}`}
      onClick={() => { if (confirm(`Delete ${what} “${name}”?`)) onDelete(); }}>Delete</button>
  );
}
