// The trace explorer: query bar + filter bar + facets, a virtualised list with attribute columns,
// all of it in the URL.
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { useLiveTraces } from "../realtime/LiveContext";
import { channelFor } from "../realtime/liveTraces";
import { LiveControls } from "./LiveControls";
import { liveRow, matchesLive, uncheckable } from "./live";
import { useProject } from "../app/project";
import { ErrorView, Loading } from "../components/ErrorView";
import { FirstTraceSnippet } from "../components/FirstTraceSnippet";
import { useTraceFacets, useTraceList, type TraceSummary } from "./api";
import { Facets } from "./Facets";
import { FilterBar } from "./FilterBar";
import { activeCount, EMPTY, toApiQuery } from "./filters";
import { QueryBar } from "./QueryBar";
import { SavedViews } from "./SavedViews";
import { baseColumns, Clipped, TraceTable } from "./TraceTable";
import { useFilters } from "./useFilters";

export default function TraceListPage() {
  const { slug } = useProject();
  const [filters, setFilters] = useFilters();
  const [refreshed, setRefreshed] = useState(() => Date.now());
  // relative ranges are resolved once per change (and on Refresh), not on every render
  const query = useMemo(() => toApiQuery(filters, refreshed), [filters, refreshed]);
  // pages of 1,000: the newest 1,000 traces arrive in one read (~0.2 s on 1M spans)
  const list = useTraceList(slug, query, 1000);
  // facet counts scan every matching span: asked once the list has answered, so it never waits on them
  const facets = useTraceFacets(slug, query, !list.isPending);
  const listed = useMemo(() => list.data?.pages.flatMap((p) => p.traces) ?? [], [list.data]);
  const live = useLiveTraces();
  const liveOn = live?.enabled ?? false;
  // the model filter picks the channel; changing it swaps the subscription, not the connection
  useEffect(() => {
    if (live?.enabled) live.setEnabled(true, channelFor(filters.model));
  }, [live, liveOn, filters.model]);
  const liveRows = live?.enabled ? live.rows : [];
  const rows = useMemo(() => {
    if (!liveRows.length) return listed;
    // a live trace the list has read too shows the list's full summary (tokens, cost, span count)
    const known = new Map(listed.map((r) => [r.trace_id, r]));
    const fresh = liveRows.filter((t) => matchesLive(filters, t)).map((t) => known.get(t.trace_id) ?? liveRow(t));
    const seen = new Set(fresh.map((r) => r.trace_id));
    return [...fresh, ...listed.filter((r) => !seen.has(r.trace_id))];
  }, [liveRows, listed, filters]);
  const recent = useMemo(() => {
    const now = Date.now();
    return new Set(liveRows.filter((t) => now - t.receivedAt < 3000).map((t) => t.trace_id));
  }, [liveRows]);
  const [selection, setSelection] = useState<string[]>([]);
  const navigate = useNavigate();
  const columns = useMemo<ColumnDef<TraceSummary>[]>(() => [
    {
      id: "pick", header: "", size: 24,
      cell: ({ row }) => (
        <input type="checkbox" aria-label={`Select ${row.original.name || row.original.trace_id} to compare`}
          checked={selection.includes(row.original.trace_id)}
          onChange={(e) => setSelection((s) => e.target.checked ? [...s.filter((x) => x !== row.original.trace_id), row.original.trace_id].slice(-2)
            : s.filter((x) => x !== row.original.trace_id))} />
      ),
    },
    ...baseColumns(slug),
    ...filters.columns.map((key): ColumnDef<TraceSummary> => ({
      id: `attr.${key}`, header: key, size: 120,
      cell: ({ row }) => {
        const value = row.original.columns?.[key];
        return value === undefined || value === null ? <span className="muted">–</span> : <Clipped text={String(value)} />;
      },
    })),
  ], [slug, filters.columns, selection]);
  const filtered = activeCount(filters) > 0;

  return (
    <section className="page explorer" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title">Traces</h1>
        <span className="muted small" data-testid="trace-count">
          {list.data ? `${rows.length}${list.hasNextPage ? "+" : ""} traces` : ""}
        </span>
        <span className="spacer" />
        <SavedViews project={slug} />
        {live && <LiveControls store={live} notes={uncheckable(filters)} />}
        {selection.length === 2 && (
          <button type="button" className="btn btn-primary" data-testid="compare-selected"
            onClick={() => navigate(`/p/${encodeURIComponent(slug)}/compare?a=${selection[0]}&b=${selection[1]}`)}>
            Compare 2 traces
          </button>
        )}
        <button type="button" className="btn" onClick={() => { setRefreshed(Date.now()); void facets.refetch(); }} aria-label="Refresh (keeps the filters)">
          Refresh
        </button>
        {filtered && <button type="button" className="btn" onClick={() => setFilters({ ...EMPTY, columns: filters.columns })}>Clear filters</button>}
      </div>
      <QueryBar filters={filters} onChange={setFilters} />
      <FilterBar project={slug} filters={filters} onChange={setFilters} />
      <div className="explorer-body">
        <Facets facets={facets.data} loading={facets.isFetching} filters={filters} onChange={setFilters} />
        <div className="explorer-list">
          {list.isPending ? <Loading what="Loading traces" />
            : list.error ? <ErrorView error={list.error} onRetry={() => list.refetch()} />
            : rows.length === 0 ? (filtered || liveOn
              ? <div className="empty"><p className="empty-title">No trace matches these filters</p>
                  <p className="muted">Widen the time range or remove a filter.</p></div>
              : <FirstTraceSnippet project={slug} />)
            : <TraceTable rows={rows} columns={columns} highlight={(r) => (recent.has(r.trace_id) ? "row-new" : undefined)}
                onEndReached={() => { if (list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage(); }} />}
        </div>
      </div>
    </section>
  );
}
