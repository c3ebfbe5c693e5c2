// The explorer's filters live in the URL: reading parses it, writing replaces it (shareable links,
// back/forward, reload all keep them).
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { fromSearchParams, toSearchParams, type TraceFilters } from "./filters";

export function useFilters(): [TraceFilters, (next: TraceFilters) => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // the query string is the identity: same string, same filters object
  const filters = useMemo(() => fromSearchParams(new URLSearchParams(key)), [key]);
  const set = useCallback((next: TraceFilters) => setParams(toSearchParams(next)), [setParams]);
  return [filters, set];
}
