// Live rows in the explorer: which filters a notification can be checked against, and its row.
import type { LiveTrace } from "../realtime/liveTraces";
import type { TraceSummary } from "./api";
import type { TraceFilters } from "./filters";

/** Filters a notification does not carry (attributes, user, session, environment, text, range). */
export function uncheckable(f: TraceFilters): string[] {
  const out: string[] = [];
  if (f.attrs.length) out.push("attributes");
  if (f.user) out.push("user");
  if (f.session) out.push("session");
  if (f.environment) out.push("environment");
  if (f.text) out.push("text");
  return out;
}

export function matchesLive(f: TraceFilters, t: LiveTrace): boolean {
  if (f.model && !t.models.includes(f.model)) return false;
  if (f.service && t.service !== f.service) return false;
  if (f.status && t.status !== f.status) return false;
  if (f.minMs !== undefined && t.duration_ms < f.minMs) return false;
  if (f.maxMs !== undefined && t.duration_ms > f.maxMs) return false;
  return true;
}

export function liveRow(t: LiveTrace): TraceSummary {
  return {
    trace_id: t.trace_id, name: t.root_name, service_name: t.service, start_time: t.timestamp, end_time: t.timestamp,
    start_time_unix_nano: Date.parse(t.timestamp) * 1e6, end_time_unix_nano: Date.parse(t.timestamp) * 1e6 + t.duration_ms * 1e6,
    duration_ms: t.duration_ms, span_count: Number.NaN, error_count: t.status === "error" ? 1 : 0, status: t.status,
    model_id: t.model_id, models: t.models, services: t.service ? [t.service] : [], input_tokens: 0, output_tokens: 0,
    total_tokens: 0, cost_micros: null, cost_usd: null, cost_usd_exact: null,
  };
}
