import { QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError } from "./errors";

/** A 401 from any query means the session ended: go to the login page, then come back.
 *  Queries with `meta.handlesAuth` (who-am-I) let their page redirect instead. */
function toLogin(error: unknown, query: { meta?: Record<string, unknown> }): void {
  if (!isApiError(error) || error.kind !== "unauthenticated" || query.meta?.handlesAuth) return;
  if (location.pathname === "/login") return;
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: toLogin }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // 4xx answers will not change by asking again; network errors and 503s may
      retry: (count, err) => count < 2 && !(isApiError(err) && err.status >= 400 && err.status < 500),
    },
  },
});
