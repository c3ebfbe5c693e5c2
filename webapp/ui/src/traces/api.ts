// Trace reads through the typed client.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, inProject, must, type Schemas } from "../api/client";

export type TraceSummary = Schemas["TraceListItem"];
export type TraceDetail = Schemas["TraceDetail"];
export type SpanNode = Schemas["SpanNode"];
export type TraceListQuery = NonNullable<import("../api/schema").operations["traces_list"]["parameters"]["query"]>;

/** The list's parameters (filters.toApiQuery); `attr.<key>` filters travel next to the typed ones. */
export type TraceQueryParams = Record<string, string | number>;

export function useTraceList(project: string, query: TraceQueryParams, pageSize = 200) {
  return useInfiniteQuery({
    queryKey: ["traces", project, query, pageSize],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      must(api.GET("/api/v1/traces", {
        params: { query: { ...query, limit: pageSize, ...(pageParam ? { cursor: pageParam } : {}) } as TraceListQuery },
        headers: inProject(project),
        signal,
      })),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export type TraceFacets = Schemas["TraceFacets"];
export type FacetsQuery = NonNullable<import("../api/schema").operations["traces_facets"]["parameters"]["query"]>;

/** Facet counts for the list's filters (each facet leaves out its own filter), from the server. */
export function useTraceFacets(project: string, query: TraceQueryParams, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ["trace-facets", project, query],
    queryFn: ({ signal }) => must(api.GET("/api/v1/traces/facets", {
      params: { query: query as FacetsQuery }, headers: inProject(project), signal,
    })),
    placeholderData: (previous) => previous, // keep the old counts on screen while the new ones load
  });
}
