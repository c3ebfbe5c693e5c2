// Cost data shaped for the charts: tokens per day as stacked layers, the cost trend per day.
import { stack, type StackedSeries } from "../viz/stack";
import { costOf, toNumber } from "../viz/format";

export interface TokenRow {
  key?: Record<string, unknown>;
  input_tokens?: unknown; output_tokens?: unknown; cache_read_tokens?: unknown;
  cache_creation_tokens?: unknown; reasoning_tokens?: unknown;
}

export function dayOf(row: { key?: Record<string, unknown> }): string {
  const day = row.key?.day ?? row.key?.hour;
  return typeof day === "string" ? day.slice(0, 10) : "";
}

/** Input counts cache reads and writes and output counts reasoning (the API's totals): the layers
 *  split them out so the stack adds up to input + output exactly once. */
export function tokenLayers(rows: TokenRow[]): StackedSeries {
  const n = toNumber;
  const cached = (r: TokenRow) => n(r.cache_read_tokens) + n(r.cache_creation_tokens);
  return stack(rows.filter((r) => dayOf(r) !== ""), dayOf, [
    { name: "Input", color: "#3b82f6", value: (r) => Math.max(0, n(r.input_tokens) - cached(r)) },
    { name: "Cached input", color: "#06b6d4", value: cached },
    { name: "Output", color: "#f97316", value: (r) => Math.max(0, n(r.output_tokens) - n(r.reasoning_tokens)) },
    { name: "Reasoning", color: "#a855f7", value: (r) => n(r.reasoning_tokens) },
  ]);
}

/** Cost per day in range order, days without spend included as zero. */
export function dailyCost(rows: { period?: string; cost_usd_exact?: unknown; cost_usd?: unknown; cost_micros?: unknown }[], start: Date, end: Date): { day: string; usd: number }[] {
  const byDay = new Map<string, number>();
  for (const r of rows) {
    if (!r.period) continue;
    const usd = costOf(r);
    const day = r.period.slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + usd);
  }
  const out: { day: string; usd: number }[] = [];
  const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; d < end && i < 400; i++, d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.toISOString().slice(0, 10);
    out.push({ day, usd: byDay.get(day) ?? 0 });
  }
  return out;
}

export const RANGES = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 } as const;
export type RangeName = keyof typeof RANGES;

export function rangeOf(name: string | null, now = new Date()): { name: RangeName; start: Date; end: Date } {
  const key = (name && name in RANGES ? name : "7d") as RangeName;
  const end = new Date(Math.ceil(now.getTime() / 60_000) * 60_000 + 60_000);
  return { name: key, start: new Date(end.getTime() - RANGES[key] * 86_400_000), end };
}
