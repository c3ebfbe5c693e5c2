// The trace explorer.
import { useMemo } from "react";
import { FirstTraceSnippet } from "../components/FirstTraceSnippet";
import { ErrorView, Loading } from "../components/ErrorView";
import { useProject } from "../app/project";
import { useTraceList } from "./api";
import { baseColumns, TraceTable } from "./TraceTable";

export default function TraceListPage() {
  const { slug } = useProject();
  const list = useTraceList(slug, {});
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.traces) ?? [], [list.data]);
  const columns = useMemo(() => baseColumns(slug), [slug]);
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title">Traces</h1>
        <span className="muted small" data-testid="trace-count">
          {list.data ? `${rows.length}${list.hasNextPage ? "+" : ""} traces` : ""}
        </span>
      </div>
      {list.isPending ? <Loading what="Loading traces" />
        : list.error ? <ErrorView error={list.error} onRetry={() => list.refetch()} />
        : rows.length === 0 ? <FirstTraceSnippet project={slug} />
        : <TraceTable rows={rows} columns={columns}
            onEndReached={() => { if (list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage(); }} />}
    </section>
  );
}
