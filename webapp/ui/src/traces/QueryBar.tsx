// The typed query: `service:api model:gpt-4o status:error duration:>200ms attr.region=eu text`.
// It shows the current filters (whatever set them) and applies what is typed on Enter.
import { useEffect, useState, type FormEvent } from "react";
import { formatQuery, parseQuery, QUERY_KEYS, type TraceFilters } from "./filters";

export function QueryBar({ filters, onChange }: { filters: TraceFilters; onChange: (f: TraceFilters) => void }) {
  const formatted = formatQuery(filters);
  const [text, setText] = useState(formatted);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    setText(formatted);
    setErrors([]);
  }, [formatted]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseQuery(text, filters);
    setErrors(parsed.errors);
    if (!parsed.errors.length) onChange(parsed.filters);
  };
  return (
    <form className="querybar" onSubmit={submit} role="search">
      <input type="search" aria-label="Trace query" placeholder={`Filter: ${QUERY_KEYS.slice(0, 5).join(":… ")}:… or text`}
        value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} data-testid="query-input"
        aria-invalid={errors.length > 0} aria-describedby={errors.length ? "query-errors" : undefined} />
      <button type="submit" className="btn">Apply</button>
      {errors.length > 0 && (
        <ul id="query-errors" className="query-errors" role="alert">
          {errors.map((e) => <li key={e}>{e}</li>)}
        </ul>
      )}
    </form>
  );
}
