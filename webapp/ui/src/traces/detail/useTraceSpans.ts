// A trace's spans, flat. The detail endpoint returns up to its limit (5,000 by default) nested;
// a larger trace is then read through /spans in windows of 2,000 on demand, up to MAX_SPANS kept in
// the tab, and the page says how many of how many it shows.
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, inProject, must, type Schemas } from "../../api/client";
import { useTrace } from "../api";

export type Span = Omit<Schemas["SpanNode"], "children">;
export const WINDOW = 2000;
export const MAX_SPANS = 200_000;

function flatten(roots: Schemas["SpanNode"][]): Span[] {
  const out: Span[] = [];
  const stack = [...roots];
  while (stack.length) {
    const { children, ...span } = stack.pop()!;
    out.push(span);
    for (const c of children) stack.push(c);
  }
  return out;
}

export function useTraceSpans(project: string, traceId: string) {
  const detail = useTrace(project, traceId);
  const truncated = detail.data?.spans_truncated ?? false;
  const windows = useInfiniteQuery({
    queryKey: ["trace-spans", project, traceId],
    enabled: truncated,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => must(api.GET("/api/v1/traces/{trace_id}/spans", {
      params: { path: { trace_id: traceId }, query: { limit: WINDOW, ...(pageParam ? { cursor: pageParam } : {}) } },
      headers: inProject(project), signal,
    })),
    getNextPageParam: (last) => last.next_cursor ?? null,
    staleTime: 60_000,
    structuralSharing: false,
  });
  const spans = useMemo(() => {
    if (!detail.data) return [];
    const base = flatten(detail.data.spans);
    if (!windows.data) return base;
    const byId = new Map(base.map((s) => [s.span_id, s]));
    for (const page of windows.data.pages) for (const s of page.spans) if (!byId.has(s.span_id)) byId.set(s.span_id, s as Span);
    return [...byId.values()];
  }, [detail.data, windows.data]);
  const total = detail.data?.span_count ?? spans.length;
  const canLoadMore = truncated && spans.length < total && spans.length < MAX_SPANS
    && (windows.hasNextPage || !windows.data);
  return {
    detail,
    spans,
    total,
    loadingMore: windows.isFetching,
    loadMore: canLoadMore ? () => void windows.fetchNextPage() : null,
  };
}
