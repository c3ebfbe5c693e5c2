// A silence: matchers (=, !=, =~, !~; "silence this" fills them from the alert's labels), start,
// end and comment. Row problems are shown before sending; the server's 400s next to their field.
import { useState } from "react";
import { ErrorView } from "../components/ErrorView";
import { useCreateSilence, type Silence } from "./api";
import { FieldError, isoFromLocal, localInput, serverErrors } from "./common";
import { formatMatcher, MATCH_OPS, matcherProblem, type MatchOp, type MatcherRow } from "./matchers";

export function SilenceForm({ project, initial, onDone }: { project: string; initial?: MatcherRow[]; onDone: (made?: Silence) => void }) {
  const create = useCreateSilence(project);
  const now = new Date();
  const [rows, setRows] = useState<MatcherRow[]>(initial?.length ? initial : [{ name: "", op: "=", value: "" }]);
  const [start, setStart] = useState(localInput(now));
  const [end, setEnd] = useState(localInput(new Date(now.getTime() + 2 * 3600_000)));
  const [comment, setComment] = useState("");
  const problems = rows.map(matcherProblem);
  const errors = serverErrors(create.error);
  const change = (i: number, part: Partial<MatcherRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...part } : r)));
  const submit = () => {
    if (problems.some(Boolean)) return;
    create.mutate({ matchers: rows.map(formatMatcher), starts_at: isoFromLocal(start), ends_at: isoFromLocal(end) ?? "", comment },
      { onSuccess: (made) => onDone(made as Silence) });
  };
  return (
    <form className="form card" aria-label="New silence" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <fieldset style={{ gridColumn: "1 / -1" }}>
        <legend>Matchers</legend>
        {rows.map((r, i) => (
          <div key={i} className="toolbar" data-testid="matcher-row">
            <input aria-label={`Matcher ${i + 1} label`} value={r.name} onChange={(e) => change(i, { name: e.target.value })} placeholder="label" />
            <select aria-label={`Matcher ${i + 1} operator`} value={r.op} onChange={(e) => change(i, { op: e.target.value as MatchOp })}>
              {MATCH_OPS.map((op) => <option key={op}>{op}</option>)}
            </select>
            <input aria-label={`Matcher ${i + 1} value`} value={r.value} onChange={(e) => change(i, { value: e.target.value })} placeholder="value" />
            <button type="button" className="btn btn-small" aria-label={`Remove matcher ${i + 1}`} disabled={rows.length === 1}
              onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove</button>
            {problems[i] && <span className="form-error small" role="alert">{problems[i]}</span>}
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => setRows([...rows, { name: "", op: "=", value: "" }])}>Add matcher</button>
        <FieldError errors={errors} field="matchers" />
      </fieldset>
      <label>Starts<input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} /><FieldError errors={errors} field="starts_at" /></label>
      <label>Ends<input type="datetime-local" required value={end} onChange={(e) => setEnd(e.target.value)} /><FieldError errors={errors} field="ends_at" /></label>
      <label style={{ gridColumn: "1 / -1" }}>Comment<input value={comment} onChange={(e) => setComment(e.target.value)} placeholder="why, and until when" />
        <FieldError errors={errors} field="comment" /></label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>Create silence</button>
        <button type="button" className="btn" onClick={() => onDone()}>Cancel</button>
      </div>
      {create.isError && Object.keys(errors).length === 0 && <div style={{ gridColumn: "1 / -1" }}><ErrorView error={create.error} /></div>}
    </form>
  );
}
