// LLM inputs and outputs as chat messages, from whichever shape the span carries: the current
// GenAI `gen_ai.input.messages`/`output.messages` (parts), OpenAI-like `{role, content, tool_calls}`,
// OpenInference `llm.input_messages.N.message.*`, or the stored previews. Payloads above a size
// gate are not parsed at all (a 20 MB attribute must not freeze the tab).

export const PARSE_LIMIT = 2_000_000; // characters of JSON parsed into messages
export const RENDER_LIMIT = 100_000; // characters shown before "show more"

export interface ToolCall {
  id?: string;
  name: string;
  arguments: string;
}

export interface Message {
  role: string;
  text: string;
  toolCalls: ToolCall[];
  /** a tool's answer: the call it answers */
  toolCallId?: string;
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return JSON.stringify(value, null, 2);
}

function fromParts(role: string, parts: unknown[]): Message {
  const msg: Message = { role, text: "", toolCalls: [] };
  const texts: string[] = [];
  for (const part of parts) {
    if (!part || typeof part !== "object") continue;
    const p = part as Record<string, unknown>;
    if (p.type === "tool_call") msg.toolCalls.push({ id: text(p.id) || undefined, name: text(p.name), arguments: text(p.arguments) });
    else if (p.type === "tool_call_response") {
      msg.toolCallId = text(p.id) || undefined;
      texts.push(text(p.response ?? p.result));
    } else texts.push(text(p.content ?? p.text));
  }
  msg.text = texts.join("\n");
  return msg;
}

function fromOpenAi(m: Record<string, unknown>): Message {
  const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
  const content = Array.isArray(m.content)
    ? m.content.map((c) => (c && typeof c === "object" ? text((c as Record<string, unknown>).text ?? c) : text(c))).join("\n")
    : text(m.content);
  return {
    role: text(m.role) || "assistant",
    text: content,
    toolCallId: typeof m.tool_call_id === "string" ? m.tool_call_id : undefined,
    toolCalls: calls.map((c) => {
      const call = (c ?? {}) as Record<string, unknown>;
      const fn = (call.function ?? call) as Record<string, unknown>;
      return { id: text(call.id) || undefined, name: text(fn.name), arguments: text(fn.arguments ?? fn.args) };
    }),
  };
}

/** Messages from a JSON value of any supported shape; null when it is not a message list. */
export function toMessages(value: unknown, defaultRole: string): Message[] | null {
  const list = Array.isArray(value) ? value : value && typeof value === "object" ? [value] : null;
  if (!list) return null;
  const out: Message[] = [];
  for (const item of list) {
    if (!item || typeof item !== "object") return null;
    const m = item as Record<string, unknown>;
    if (Array.isArray(m.parts)) out.push(fromParts(text(m.role) || defaultRole, m.parts));
    else if ("content" in m || "tool_calls" in m || "role" in m) out.push(fromOpenAi(m));
    else if ("message" in m && m.message && typeof m.message === "object") out.push(fromOpenAi(m.message as Record<string, unknown>));
    else return null;
  }
  return out;
}

export function parseJsonMessages(raw: string, defaultRole: string): Message[] | null {
  const s = raw.trim();
  if (!s || (s[0] !== "[" && s[0] !== "{") || s.length > PARSE_LIMIT) return null;
  try {
    return toMessages(JSON.parse(s), defaultRole);
  } catch {
    return null;
  }
}

/** `llm.input_messages.N.message.role|content` attributes → messages in index order. */
function indexed(attributes: Record<string, string>, prefix: string): Message[] {
  const byIndex = new Map<number, Message>();
  const re = new RegExp(`^${prefix.replace(/\./g, "\\.")}(\\d+)\\.message\\.(role|content)$`);
  for (const [k, v] of Object.entries(attributes)) {
    const m = re.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const msg = byIndex.get(i) ?? { role: "", text: "", toolCalls: [] };
    if (m[2] === "role") msg.role = v;
    else msg.text = v;
    byIndex.set(i, msg);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}

export interface Transcript {
  input: Message[];
  output: Message[];
  /** where the messages came from (shown to the user) */
  source: string;
  /** a payload too large to parse; shown as raw text behind a gate */
  oversized: { key: string; size: number }[];
}

interface SpanContent {
  attributes: Record<string, string>;
  input_preview: string;
  output_preview: string;
}

/** Whether any message of either side was recorded (instrumentations leave bodies out by default). */
export function hasMessages(t: { input: unknown[]; output: unknown[] }): boolean {
  return t.input.length + t.output.length > 0;
}

export function transcriptOf(span: SpanContent): Transcript {
  const a = span.attributes;
  const oversized: Transcript["oversized"] = [];
  const fromAttr = (key: string, role: string): Message[] | null => {
    const raw = a[key];
    if (raw === undefined) return null;
    if (raw.length > PARSE_LIMIT) {
      oversized.push({ key, size: raw.length });
      return null;
    }
    return parseJsonMessages(raw, role);
  };
  let input = fromAttr("gen_ai.input.messages", "user");
  let output = fromAttr("gen_ai.output.messages", "assistant");
  let source = "gen_ai messages";
  if (!input && !output) {
    const oi = indexed(a, "llm.input_messages.");
    const oo = indexed(a, "llm.output_messages.");
    if (oi.length || oo.length) {
      input = oi;
      output = oo;
      source = "OpenInference messages";
    }
  }
  if (!input && !output) {
    const i = fromAttr("input.value", "user");
    const o = fromAttr("output.value", "assistant");
    if (i || o) {
      input = i;
      output = o;
      source = "input/output values";
    }
  }
  if (!input?.length && !output?.length) {
    source = "previews";
    input = span.input_preview ? [{ role: "user", text: span.input_preview, toolCalls: [] }] : [];
    output = span.output_preview ? [{ role: "assistant", text: span.output_preview, toolCalls: [] }] : [];
  }
  return { input: input ?? [], output: output ?? [], source, oversized };
}
