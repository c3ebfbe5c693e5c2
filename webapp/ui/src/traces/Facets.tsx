// Facet counts over the traces loaded so far; clicking a value filters on it (and the query bar
// follows, since both read the same filters).
import type { TraceSummary } from "./api";
import type { TraceFilters } from "./filters";

type FacetKey = "service" | "model" | "status";

export function facetCounts(rows: TraceSummary[]): Record<FacetKey, [string, number][]> {
  const counts: Record<FacetKey, Map<string, number>> = { service: new Map(), model: new Map(), status: new Map() };
  const bump = (key: FacetKey, value: string) => counts[key].set(value, (counts[key].get(value) ?? 0) + 1);
  for (const row of rows) {
    for (const s of new Set(row.services)) bump("service", s);
    for (const m of new Set(row.models)) bump("model", m);
    bump("status", row.status);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { service: sorted(counts.service), model: sorted(counts.model), status: sorted(counts.status) };
}

const LABELS: Record<FacetKey, string> = { service: "Service", model: "Model", status: "Status" };

export function Facets(props: { rows: TraceSummary[]; complete: boolean; filters: TraceFilters; onChange: (f: TraceFilters) => void }) {
  const { rows, filters, onChange } = props;
  const counts = facetCounts(rows);
  return (
    <aside className="facets" aria-label="Facets">
      <p className="muted small">{props.complete ? `${rows.length} traces` : `in the first ${rows.length} traces`}</p>
      {(Object.keys(LABELS) as FacetKey[]).map((key) => {
        const active = filters[key];
        const values = counts[key];
        if (!values.length && !active) return null;
        return (
          <fieldset key={key} className="facet">
            <legend>{LABELS[key]}</legend>
            {values.slice(0, 12).map(([value, n]) => {
              const on = active === value;
              return (
                <button key={value} type="button" className="facet-value" aria-pressed={on}
                  data-testid={`facet-${key}`} data-value={value}
                  onClick={() => onChange({ ...filters, [key]: on ? undefined : value })}>
                  <span className="facet-name">{value || "(none)"}</span>
                  <span className="num muted">{n}</span>
                </button>
              );
            })}
            {active && !values.some(([v]) => v === active) && (
              <button type="button" className="facet-value" aria-pressed onClick={() => onChange({ ...filters, [key]: undefined })}>
                <span className="facet-name">{active}</span><span className="num muted">0</span>
              </button>
            )}
          </fieldset>
        );
      })}
    </aside>
  );
}
