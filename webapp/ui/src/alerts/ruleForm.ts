// The rule editor's form state and the API's rule body, both ways. A threshold rule is edited field
// by field; the other types keep their config as JSON text (validated here before it is sent, and by
// the server, whose 400s name the field).

export const RULE_TYPES = ["threshold", "anomaly", "rate", "pattern", "composite"] as const;
export type RuleType = (typeof RULE_TYPES)[number];
export const OPERATORS = [">", ">=", "<", "<=", "==", "!="] as const;
export const METRICS = ["error_rate", "request_count", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
  "input_tokens", "output_tokens", "cost_usd", "drift_severity", "feature_drift_share"] as const;
export const SPAN_LABELS = ["model_id", "service", "environment", "provider", "operation", "team", "feature_id"] as const;
export const SEVERITIES = ["critical", "warning", "info"] as const;

/** What a new rule of each non-threshold type starts from (the API's documented shape). */
export const CONFIG_TEMPLATES: Record<Exclude<RuleType, "threshold">, Record<string, unknown>> = {
  anomaly: { metric: "request_count", window: "5m", direction: "up", sensitivity: 3, seasonality: "daily", periods: 7 },
  rate: { metric: "request_count", window: "5m", operator: ">", value: 50, change: "percent" },
  pattern: { source: "spans", field: "status_message", pattern: "rate limit.*", operator: ">", value: 3, window: "5m" },
  composite: { expression: "1 and not 2" },
};

export interface KeyValue { key: string; value: string }

export interface RuleForm {
  name: string;
  description: string;
  rule_type: RuleType;
  severity: string;
  enabled: boolean;
  // threshold
  metric: string;
  operator: string;
  value: string;
  window: string;
  filters: KeyValue[];
  configGroupBy: string[];
  // other types
  configJson: string;
  channels: number[];
  labels: KeyValue[];
  annotations: KeyValue[];
  evaluation_interval: string;
  group_by: string;
  group_wait: string;
  group_interval: string;
  repeat_interval: string;
}

export interface RuleBody {
  name: string;
  description: string;
  rule_type: RuleType;
  severity: string;
  enabled: boolean;
  config: Record<string, unknown>;
  channels: number[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  evaluation_interval: string;
  group_by: string[];
  group_wait: string;
  group_interval: string;
  repeat_interval: string;
}

/** A saved rule as the API returns it (the fields the editor reads). */
export interface RuleLike {
  name: string; description?: string; rule_type?: string; severity?: string; enabled?: boolean;
  config?: unknown; channels?: number[]; labels?: unknown; annotations?: unknown; group_by?: unknown;
  evaluation_interval?: string; group_wait?: string; group_interval?: string; repeat_interval?: string;
}

const pairs = (obj: unknown): KeyValue[] =>
  obj && typeof obj === "object" ? Object.entries(obj as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) })) : [];

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export function emptyForm(): RuleForm {
  return {
    name: "", description: "", rule_type: "threshold", severity: "warning", enabled: true,
    metric: "error_rate", operator: ">", value: "0.05", window: "5m", filters: [], configGroupBy: [],
    configJson: "", channels: [], labels: [], annotations: [],
    evaluation_interval: "1m", group_by: "", group_wait: "30s", group_interval: "5m", repeat_interval: "4h",
  };
}

export function formFromRule(rule: RuleLike): RuleForm {
  const config = (rule.config && typeof rule.config === "object" ? rule.config : {}) as Record<string, unknown>;
  const type = (RULE_TYPES as readonly string[]).includes(rule.rule_type ?? "") ? (rule.rule_type as RuleType) : "threshold";
  const base = emptyForm();
  return {
    ...base,
    name: rule.name, description: rule.description ?? "", rule_type: type, severity: rule.severity ?? "warning",
    enabled: rule.enabled ?? true,
    metric: typeof config.metric === "string" ? config.metric : base.metric,
    operator: typeof config.operator === "string" ? config.operator : base.operator,
    value: typeof config.value === "number" ? String(config.value) : base.value,
    window: typeof config.window === "string" ? config.window : typeof config.window === "number" ? `${config.window}s` : base.window,
    filters: pairs(config.filters),
    configGroupBy: strings(config.group_by),
    configJson: type === "threshold" ? "" : JSON.stringify(config, null, 2),
    channels: rule.channels ?? [],
    labels: pairs(rule.labels), annotations: pairs(rule.annotations),
    evaluation_interval: rule.evaluation_interval ?? base.evaluation_interval,
    group_by: strings(rule.group_by).join(", "),
    group_wait: rule.group_wait ?? base.group_wait, group_interval: rule.group_interval ?? base.group_interval,
    repeat_interval: rule.repeat_interval ?? base.repeat_interval,
  };
}

/** Problems found before sending, keyed like the server's 400 details (config, labels, …). */
export type FieldErrors = Record<string, string>;

function mapOf(rows: KeyValue[], field: string, errors: FieldErrors): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of rows) {
    const name = key.trim();
    if (!name && !value.trim()) continue; // an untouched blank row
    if (!name) { errors[field] = `${field}: a value without a name`; continue; }
    if (name in out) errors[field] = `${field}: “${name}” is given twice`;
    out[name] = value;
  }
  return out;
}

/** The threshold config from its fields (the value a number, empty filters and group_by left out). */
export function thresholdConfig(form: RuleForm, errors: FieldErrors = {}): Record<string, unknown> {
  const value = Number(form.value);
  if (form.value.trim() === "" || !Number.isFinite(value)) errors.config = "value must be a number";
  const config: Record<string, unknown> = { metric: form.metric, operator: form.operator, value, window: form.window.trim() };
  const filters = mapOf(form.filters, "filters", errors);
  if (errors.filters) errors.config = errors.filters;
  if (Object.keys(filters).length) config.filters = filters;
  if (form.configGroupBy.length) config.group_by = [...form.configGroupBy];
  return config;
}

/** The rule's config, or an error naming the problem (JSON text of the non-threshold types). */
export function configOf(form: RuleForm, errors: FieldErrors = {}): Record<string, unknown> {
  if (form.rule_type === "threshold") return thresholdConfig(form, errors);
  try {
    const parsed: unknown = JSON.parse(form.configJson);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    errors.config = "config must be a JSON object";
  } catch (err) {
    errors.config = `config is not valid JSON (${(err as Error).message})`;
  }
  return {};
}

export function bodyFromForm(form: RuleForm): { body: RuleBody; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!form.name.trim()) errors.name = "a rule needs a name";
  const body: RuleBody = {
    name: form.name.trim(), description: form.description, rule_type: form.rule_type, severity: form.severity,
    enabled: form.enabled, config: configOf(form, errors), channels: [...form.channels],
    labels: mapOf(form.labels, "labels", errors), annotations: mapOf(form.annotations, "annotations", errors),
    evaluation_interval: form.evaluation_interval.trim(),
    group_by: form.group_by.split(",").map((g) => g.trim()).filter(Boolean),
    group_wait: form.group_wait.trim(), group_interval: form.group_interval.trim(), repeat_interval: form.repeat_interval.trim(),
  };
  return { body, errors };
}

/** The server's 400 details ({field: [messages]} or {field: "message"}) as one line per field. */
export function fieldErrors(details: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!details || typeof details !== "object") return out;
  for (const [field, value] of Object.entries(details as Record<string, unknown>)) {
    out[field] = Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(" ")
      : typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}
