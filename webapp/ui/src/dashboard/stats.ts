// The dashboard's trace figures: request count, error rate, latency percentiles and top services
// over the traces of the range (the newest ones when there are more than a page).

export interface TraceLike { duration_ms: number; status: string; service_name: string; error_count?: number }

/** Nearest-rank percentile (the value below which q of the samples fall); NaN when empty. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface TraceStats {
  requests: number; errors: number; errorRate: number; p50: number; p95: number;
  services: { name: string; requests: number; errors: number; p95: number }[];
}

export function traceStats(traces: TraceLike[]): TraceStats {
  const failed = (t: TraceLike) => t.status === "error" || (t.error_count ?? 0) > 0;
  const durations = traces.map((t) => t.duration_ms).filter(Number.isFinite).sort((a, b) => a - b);
  const byService = new Map<string, TraceLike[]>();
  for (const t of traces) byService.set(t.service_name || "(unknown)", [...(byService.get(t.service_name || "(unknown)") ?? []), t]);
  const services = [...byService.entries()].map(([name, list]) => ({
    name, requests: list.length, errors: list.filter(failed).length,
    p95: percentile(list.map((t) => t.duration_ms).sort((a, b) => a - b), 0.95),
  })).sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name));
  const errors = traces.filter(failed).length;
  return {
    requests: traces.length, errors, errorRate: traces.length ? errors / traces.length : 0,
    p50: percentile(durations, 0.5), p95: percentile(durations, 0.95), services,
  };
}
