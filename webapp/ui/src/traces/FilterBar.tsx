// Controls next to the query bar: time range, status, duration, sort, attribute columns, export.
import { useState, type FormEvent } from "react";
import { toApiQuery, type SortField, type TraceFilters } from "./filters";

const RANGES: [string, string][] = [["", "All time"], ["15m", "Last 15 min"], ["1h", "Last hour"], ["6h", "Last 6 hours"],
  ["24h", "Last 24 hours"], ["7d", "Last 7 days"], ["30d", "Last 30 days"]];

function exportHref(project: string, filters: TraceFilters, output: "csv" | "jsonl"): string {
  const q = new URLSearchParams({ project, output });
  for (const [k, v] of Object.entries(toApiQuery(filters, Date.now()))) q.set(k, String(v));
  return `/api/v1/traces/export?${q.toString()}`;
}

export function FilterBar({ project, filters, onChange }: { project: string; filters: TraceFilters; onChange: (f: TraceFilters) => void }) {
  const [column, setColumn] = useState("");
  const addColumn = (event: FormEvent) => {
    event.preventDefault();
    const key = column.trim();
    if (key && !filters.columns.includes(key)) onChange({ ...filters, columns: [...filters.columns, key] });
    setColumn("");
  };
  const ms = (value: string) => (value.trim() === "" || Number.isNaN(Number(value)) ? undefined : Math.max(0, Number(value)));
  const isRelative = !filters.range || RANGES.some(([r]) => r === filters.range);
  return (
    <div className="filterbar">
      <label>
        <span className="sr-only">Time range</span>
        <select aria-label="Time range" value={isRelative ? filters.range ?? "" : "custom"}
          onChange={(e) => onChange({ ...filters, range: e.target.value || undefined })}>
          {RANGES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          {!isRelative && <option value="custom">{filters.range}</option>}
        </select>
      </label>
      <select aria-label="Status" value={filters.status ?? ""}
        onChange={(e) => onChange({ ...filters, status: (e.target.value || undefined) as TraceFilters["status"] })}>
        <option value="">Any status</option>
        <option value="ok">OK</option>
        <option value="error">Error</option>
      </select>
      <input className="ms" type="number" min={0} aria-label="Minimum duration (ms)" placeholder="min ms"
        defaultValue={filters.minMs ?? ""} key={`min${filters.minMs}`}
        onBlur={(e) => onChange({ ...filters, minMs: ms(e.target.value) })} />
      <input className="ms" type="number" min={0} aria-label="Maximum duration (ms)" placeholder="max ms"
        defaultValue={filters.maxMs ?? ""} key={`max${filters.maxMs}`}
        onBlur={(e) => onChange({ ...filters, maxMs: ms(e.target.value) })} />
      <select aria-label="Sort by" value={filters.sort} onChange={(e) => onChange({ ...filters, sort: e.target.value as SortField })}>
        <option value="time">Sort: time</option>
        <option value="duration">Sort: duration</option>
        <option value="cost">Sort: cost</option>
      </select>
      <button type="button" className="btn" aria-label={`Order: ${filters.order === "desc" ? "descending" : "ascending"}`}
        onClick={() => onChange({ ...filters, order: filters.order === "desc" ? "asc" : "desc" })}>
        {filters.order === "desc" ? "↓" : "↑"}
      </button>
      <form onSubmit={addColumn} className="colform">
        <input aria-label="Add attribute column" placeholder="+ attribute column" value={column}
          onChange={(e) => setColumn(e.target.value)} />
      </form>
      {filters.columns.map((c) => (
        <span key={c} className="chip">
          {c}
          <button type="button" aria-label={`Remove column ${c}`}
            onClick={() => onChange({ ...filters, columns: filters.columns.filter((x) => x !== c) })}>×</button>
        </span>
      ))}
      <span className="spacer" />
      <a className="btn" href={exportHref(project, filters, "csv")} download>Export CSV</a>
      <a className="btn" href={exportHref(project, filters, "jsonl")} download>Export JSONL</a>
    </div>
  );
}
