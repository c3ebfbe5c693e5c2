// Reads of the trace page: the outline of every span, the full rows of the selected span, and
// search within the trace (server-side, so a 100,000-span trace is searched whole, attributes too).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, inProject, must } from "../../api/client";

export function useOutline(project: string, traceId: string) {
  return useQuery({
    queryKey: ["trace-outline", project, traceId],
    queryFn: ({ signal }) => must(api.GET("/api/v1/traces/{trace_id}/outline", {
      params: { path: { trace_id: traceId } }, headers: inProject(project), signal,
    })),
    staleTime: 60_000,
    structuralSharing: false, // megabytes of columns: comparing them with the last answer costs more than it saves
  });
}

export function useSpanDetail(project: string, traceId: string, spanId: string | null) {
  return useQuery({
    queryKey: ["trace-span", project, traceId, spanId],
    enabled: Boolean(spanId),
    queryFn: async ({ signal }) => {
      const body = await must(api.GET("/api/v1/traces/{trace_id}/span-details", {
        params: { path: { trace_id: traceId }, query: { span_id: [spanId!] } }, headers: inProject(project), signal,
      }));
      return body.spans[0] ?? null;
    },
    staleTime: 60_000,
  });
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

export const SEARCH_LIMIT = 10_000;

export function useTraceSearch(project: string, traceId: string, query: string) {
  const q = useDebounced(query.trim(), 200);
  const result = useQuery({
    queryKey: ["trace-search", project, traceId, q],
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => must(api.GET("/api/v1/traces/{trace_id}/search", {
      params: { path: { trace_id: traceId }, query: { q, limit: SEARCH_LIMIT } }, headers: inProject(project), signal,
    })),
    staleTime: 60_000,
  });
  const settled = q === query.trim();
  return {
    hits: q && result.data ? result.data.span_ids : [],
    matchCount: q && result.data ? result.data.match_count : 0,
    searching: !settled || result.isFetching,
  };
}
