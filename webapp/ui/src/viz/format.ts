// Formatting for the analysis pages (costs, drift, settings): dollars, counts, shares.

/** Dollars: cents from $1 up, more digits below so small spends are not shown as $0.00. */
export function usd(value: number | string | null | undefined): string {
  const n = typeof value === "string" ? Number(value) : value;
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  if (n === 0) return "$0.00";
  const abs = Math.abs(n);
  if (abs < 0.0000005) return `${n < 0 ? "-" : ""}$${belowAMicro(abs)}`; // six places would read $0.000000
  const digits = abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return `${n < 0 ? "-" : ""}$${abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A positive amount under a micro-dollar with two significant digits: 0.00000018, never 1.8e-7. */
export function belowAMicro(abs: number): string {
  return abs.toLocaleString("en-US", { maximumSignificantDigits: 2 });
}

/** A cost in dollars from the API's fields, the most exact first: the decimal string, the float, and only then
 * micro-dollars (rounded half up: a 10-token embedding call is 0 micro-dollars but not $0). */
export function costOf(r: { cost_usd_exact?: unknown; cost_usd?: unknown; cost_micros?: unknown }): number {
  if (typeof r.cost_usd_exact === "string" && r.cost_usd_exact.trim() !== "") return toNumber(r.cost_usd_exact);
  if (r.cost_usd !== undefined && r.cost_usd !== null) return toNumber(r.cost_usd);
  return toNumber(r.cost_micros) / 1e6;
}

export function count(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US");
}

export function pct(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return `${n.toFixed(digits)}%`;
}

export function num(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  if (n !== 0 && Math.abs(n) < 10 ** -digits) return n.toExponential(1);
  return n.toFixed(digits);
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Tolerant number read: the cost fields may arrive as numbers or as decimal strings. */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}
