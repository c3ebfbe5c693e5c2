// Facet counts from the server for the current filters: each facet counts the traces matching every
// other filter (so a chosen value keeps its siblings). Clicking a value filters on it, and the query
// bar follows, since both read the same filters.
import type { TraceFacets } from "./api";
import type { TraceFilters } from "./filters";

type FacetKey = "service" | "model" | "status" | "environment" | "user" | "session";

const LABELS: Record<FacetKey, string> = {
  service: "Service", model: "Model", status: "Status", environment: "Environment", user: "User", session: "Session",
};

export function Facets(props: { facets: TraceFacets | undefined; loading: boolean; filters: TraceFilters; onChange: (f: TraceFilters) => void }) {
  const { facets, filters, onChange } = props;
  return (
    <aside className="facets" aria-label="Facets" aria-busy={props.loading} data-testid="facets">
      <p className="muted small" data-testid="facet-total">{facets ? `${facets.total} traces match` : "counting…"}</p>
      {(Object.keys(LABELS) as FacetKey[]).map((key) => {
        const active = filters[key];
        const values = (facets?.facets[key] ?? []).map((e): [string, number] => [e.value, e.count]);
        if (!values.length && !active) return null;
        return (
          <fieldset key={key} className="facet">
            <legend>{LABELS[key]}</legend>
            {values.map(([value, n]) => {
              const on = active === value;
              return (
                <button key={value} type="button" className="facet-value" aria-pressed={on}
                  data-testid={`facet-${key}`} data-value={value} data-count={n}
                  onClick={() => onChange({ ...filters, [key]: on ? undefined : value })}>
                  <span className="facet-name" title={value}>{value}</span>
                  <span className="facet-count num muted">{n}</span>
                </button>
              );
            })}
            {active && !values.some(([v]) => v === active) && (
              <button type="button" className="facet-value" aria-pressed data-testid={`facet-${key}`} data-value={active}
                data-count={0} onClick={() => onChange({ ...filters, [key]: undefined })}>
                <span className="facet-name" title={active}>{active}</span><span className="facet-count num muted">0</span>
              </button>
            )}
          </fieldset>
        );
      })}
    </aside>
  );
}
