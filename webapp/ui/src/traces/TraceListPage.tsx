// The trace explorer: query bar + filter bar + facets, a virtualised list with attribute columns,
// all of it in the URL.
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { useProject } from "../app/project";
import { ErrorView, Loading } from "../components/ErrorView";
import { FirstTraceSnippet } from "../components/FirstTraceSnippet";
import { useTraceList, type TraceSummary } from "./api";
import { Facets } from "./Facets";
import { FilterBar } from "./FilterBar";
import { activeCount, EMPTY, toApiQuery } from "./filters";
import { QueryBar } from "./QueryBar";
import { baseColumns, TraceTable } from "./TraceTable";
import { useFilters } from "./useFilters";

export default function TraceListPage() {
  const { slug } = useProject();
  const [filters, setFilters] = useFilters();
  const [refreshed, setRefreshed] = useState(() => Date.now());
  // relative ranges are resolved once per change (and on Refresh), not on every render
  const query = useMemo(() => toApiQuery(filters, refreshed), [filters, refreshed]);
  const list = useTraceList(slug, query);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.traces) ?? [], [list.data]);
  const columns = useMemo<ColumnDef<TraceSummary>[]>(() => [
    ...baseColumns(slug),
    ...filters.columns.map((key): ColumnDef<TraceSummary> => ({
      id: `attr.${key}`, header: key, size: 120,
      cell: ({ row }) => row.original.columns?.[key] ?? <span className="muted">–</span>,
    })),
  ], [slug, filters.columns]);
  const filtered = activeCount(filters) > 0;

  return (
    <section className="page explorer" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title">Traces</h1>
        <span className="muted small" data-testid="trace-count">
          {list.data ? `${rows.length}${list.hasNextPage ? "+" : ""} traces` : ""}
        </span>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setRefreshed(Date.now())} aria-label="Refresh (keeps the filters)">
          Refresh
        </button>
        {filtered && <button type="button" className="btn" onClick={() => setFilters({ ...EMPTY, columns: filters.columns })}>Clear filters</button>}
      </div>
      <QueryBar filters={filters} onChange={setFilters} />
      <FilterBar project={slug} filters={filters} onChange={setFilters} />
      <div className="explorer-body">
        <Facets rows={rows} complete={!list.hasNextPage} filters={filters} onChange={setFilters} />
        <div className="explorer-list">
          {list.isPending ? <Loading what="Loading traces" />
            : list.error ? <ErrorView error={list.error} onRetry={() => list.refetch()} />
            : rows.length === 0 ? (filtered
              ? <div className="empty"><p className="empty-title">No trace matches these filters</p>
                  <p className="muted">Widen the time range or remove a filter.</p></div>
              : <FirstTraceSnippet project={slug} />)
            : <TraceTable rows={rows} columns={columns}
                onEndReached={() => { if (list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage(); }} />}
        </div>
      </div>
    </section>
  );
}
