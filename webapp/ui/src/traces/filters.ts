// The trace explorer's filters: one state, kept in the URL (shareable, survives reload), written
// and read as a typed query (`service:api model:gpt-4o status:error duration:>200ms attr.region=eu`),
// and turned into the API's query parameters. Attribute filters are exact key = value matches.

export type Status = "ok" | "error";
export type SortField = "time" | "duration" | "cost";

export interface TraceFilters {
  service?: string;
  model?: string;
  status?: Status;
  environment?: string;
  user?: string;
  session?: string;
  text?: string;
  /** relative ("15m", "1h", "24h", "7d") or absolute ("<iso>..<iso>", either side may be empty) */
  range?: string;
  minMs?: number;
  maxMs?: number;
  attrs: [string, string][];
  sort: SortField;
  order: "asc" | "desc";
  /** attribute keys shown as columns */
  columns: string[];
}

export const EMPTY: TraceFilters = { attrs: [], sort: "time", order: "desc", columns: [] };

const SIMPLE = { service: "service", model: "model", status: "status", environment: "env", user: "user", session: "session" } as const;
type SimpleKey = keyof typeof SIMPLE;
const SIMPLE_KEYS = Object.keys(SIMPLE) as SimpleKey[];
const RELATIVE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const QUERY_KEYS = ["service", "model", "status", "env", "user", "session", "duration", "range", "sort", "attr.<key>"];

// ---- URL -------------------------------------------------------------------------------------

export function toSearchParams(f: TraceFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const key of SIMPLE_KEYS) {
    const value = f[key];
    if (value !== undefined && value !== "") p.set(SIMPLE[key], value);
  }
  if (f.text) p.set("q", f.text);
  if (f.range) p.set("range", f.range);
  if (f.minMs !== undefined) p.set("min_ms", String(f.minMs));
  if (f.maxMs !== undefined) p.set("max_ms", String(f.maxMs));
  for (const [k, v] of f.attrs) p.append(`attr.${k}`, v);
  if (f.sort !== "time") p.set("sort", f.sort);
  if (f.order !== "desc") p.set("order", f.order);
  if (f.columns.length) p.set("cols", f.columns.join(","));
  return p;
}

function num(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function fromSearchParams(p: URLSearchParams): TraceFilters {
  const f: TraceFilters = { ...EMPTY, attrs: [], columns: [] };
  for (const key of SIMPLE_KEYS) {
    const value = p.get(SIMPLE[key]);
    if (value === null || value === "") continue;
    if (key === "status") {
      if (value === "ok" || value === "error") f.status = value;
    } else {
      f[key] = value;
    }
  }
  const q = p.get("q");
  if (q) f.text = q;
  const range = p.get("range");
  if (range && (RELATIVE.test(range) || range.includes(".."))) f.range = range;
  const minMs = num(p.get("min_ms"));
  const maxMs = num(p.get("max_ms"));
  if (minMs !== undefined) f.minMs = minMs;
  if (maxMs !== undefined) f.maxMs = maxMs;
  for (const [k, v] of p) if (k.startsWith("attr.") && k.length > 5) f.attrs.push([k.slice(5), v]);
  const sort = p.get("sort");
  if (sort === "duration" || sort === "cost") f.sort = sort;
  if (p.get("order") === "asc") f.order = "asc";
  const cols = p.get("cols");
  if (cols) f.columns = [...new Set(cols.split(",").map((c) => c.trim()).filter(Boolean))];
  return f;
}

// ---- API -------------------------------------------------------------------------------------

export function rangeBounds(range: string | undefined, nowMs: number): { start?: string; end?: string } {
  if (!range) return {};
  const rel = RELATIVE.exec(range);
  if (rel) return { start: new Date(nowMs - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS]).toISOString() };
  const [from = "", to = ""] = range.split("..");
  return { ...(from ? { start: from } : {}), ...(to ? { end: to } : {}) };
}

/** The query string the trace list and export endpoints take for these filters. */
export function toApiQuery(f: TraceFilters, nowMs: number): Record<string, string | number> {
  const q: Record<string, string | number> = { sort: f.sort, order: f.order };
  if (f.service) q.service = f.service;
  if (f.model) q.model_id = f.model;
  if (f.status) q.status = f.status;
  if (f.environment) q.environment = f.environment;
  if (f.user) q.user_id = f.user;
  if (f.session) q.session_id = f.session;
  if (f.text) q.q = f.text;
  if (f.minMs !== undefined) q.min_duration_ms = f.minMs;
  if (f.maxMs !== undefined) q.max_duration_ms = f.maxMs;
  const { start, end } = rangeBounds(f.range, nowMs);
  if (start) q.start_time = start;
  if (end) q.end_time = end;
  for (const [k, v] of f.attrs) q[`attr.${k}`] = v;
  if (f.columns.length) q.columns = f.columns.join(",");
  return q;
}

// ---- the typed query --------------------------------------------------------------------------

function quote(value: string): string {
  return /^[^\s":]+$/.test(value) ? value : `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function quoteKey(key: string): string {
  return /^[^\s"=:]+$/.test(key) ? key : `"${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function durationText(ms: number): string {
  return ms % 1000 === 0 && ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

export function formatQuery(f: TraceFilters): string {
  const parts: string[] = [];
  for (const key of SIMPLE_KEYS) {
    const value = f[key];
    if (value) parts.push(`${SIMPLE[key]}:${quote(value)}`);
  }
  if (f.minMs !== undefined) parts.push(`duration:>${durationText(f.minMs)}`);
  if (f.maxMs !== undefined) parts.push(`duration:<${durationText(f.maxMs)}`);
  if (f.range) parts.push(`range:${quote(f.range)}`);
  for (const [k, v] of f.attrs) parts.push(`attr.${quoteKey(k)}=${quote(v)}`);
  if (f.text) parts.push(quote(f.text));
  return parts.join(" ");
}

export interface Token {
  text: string;
  /** index in `text` of the first ':' outside quotes (-1: none) */
  colon: number;
  /** index in `text` of the first '=' outside quotes (-1: none) */
  equals: number;
}

/** Split on whitespace outside double quotes; `\"` and `\\` escape inside quotes. Separators inside
 *  quotes are part of a value, so `attr."a=b"="c d"` is key `a=b`, value `c d`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let current: Token = { text: "", colon: -1, equals: -1 };
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes && c === "\\" && i + 1 < text.length) {
      current.text += text[++i];
    } else if (c === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if (!inQuotes && /\s/.test(c)) {
      if (started) tokens.push(current);
      current = { text: "", colon: -1, equals: -1 };
      started = false;
    } else {
      if (!inQuotes && c === ":" && current.colon < 0) current.colon = current.text.length;
      if (!inQuotes && c === "=" && current.equals < 0) current.equals = current.text.length;
      current.text += c;
      started = true;
    }
  }
  if (started) tokens.push(current);
  return tokens;
}

function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) return null;
  const factor = m[2] === "s" ? 1000 : m[2] === "m" ? 60_000 : 1;
  return Number(m[1]) * factor;
}

export interface Parsed {
  filters: TraceFilters;
  errors: string[];
}

/** Parse the query bar into filters (sort and columns come from `base`, the bar does not name them). */
export function parseQuery(text: string, base: TraceFilters = EMPTY): Parsed {
  const f: TraceFilters = { ...EMPTY, attrs: [], sort: base.sort, order: base.order, columns: base.columns };
  const errors: string[] = [];
  const words: string[] = [];
  for (const token of tokenize(text)) {
    if (token.text.startsWith("attr.") && token.equals > 5) {
      f.attrs.push([token.text.slice(5, token.equals), token.text.slice(token.equals + 1)]);
      continue;
    }
    const colon = token.colon;
    const key = colon > 0 ? token.text.slice(0, colon) : "";
    const value = colon > 0 ? token.text.slice(colon + 1) : "";
    const simple = SIMPLE_KEYS.find((k) => SIMPLE[k] === key);
    if (simple === "status") {
      if (value === "ok" || value === "error") f.status = value;
      else errors.push(`status is ok or error, not “${value}”`);
    } else if (simple) {
      f[simple] = value;
    } else if (key === "duration") {
      const op = value[0];
      const ms = parseDuration(value.slice(1));
      if ((op === ">" || op === "<") && ms !== null) {
        if (op === ">") f.minMs = ms;
        else f.maxMs = ms;
      } else {
        errors.push(`duration takes >N or <N with ms, s or m, e.g. duration:>250ms`);
      }
    } else if (key === "range") {
      if (RELATIVE.test(value) || value.includes("..")) f.range = value;
      else errors.push(`range takes 15m, 1h, 7d or <from>..<to>`);
    } else if (key && /^[a-z_]+$/.test(key)) {
      errors.push(`unknown filter “${key}”; use ${QUERY_KEYS.join(", ")} or plain text`);
    } else {
      words.push(token.text);
    }
  }
  if (words.length) f.text = words.join(" ");
  return { filters: f, errors };
}

/** Shown in the UI as the number of active filters. */
export function activeCount(f: TraceFilters): number {
  return SIMPLE_KEYS.filter((k) => f[k]).length + (f.text ? 1 : 0) + (f.range ? 1 : 0)
    + (f.minMs !== undefined ? 1 : 0) + (f.maxMs !== undefined ? 1 : 0) + f.attrs.length;
}
