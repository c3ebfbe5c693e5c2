// A trace outline (GET /traces/{id}/outline) decoded into the waterfall's spans. The server sends
// one list per column with names, services and models as dictionary indexes and parents as row
// indexes; times become nanoseconds after the trace's first span, so they stay exact as JS numbers.
import type { Schemas } from "../../api/client";
import type { SpanLike } from "../../traces/waterfall/layout";

export type OutlineBody = Schemas["Outline"];

export interface OutlineSpan extends SpanLike {
  model_id: string;
  duration_ms: number;
}

export function decodeOutline(body: OutlineBody): OutlineSpan[] {
  const c = body.spans;
  const n = c.span_id.length;
  const out: OutlineSpan[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const start = c.start[i]!;
    const duration = c.duration[i]!;
    const parent = c.parent[i]!;
    const cost = c.cost_usd[i];
    out[i] = {
      span_id: c.span_id[i]!,
      parent_span_id: parent >= 0 ? c.span_id[parent]! : "",
      name: body.names[c.name[i]!] ?? "",
      service_name: body.services[c.service[i]!] ?? "",
      model_id: body.models[c.model[i]!] ?? "",
      start_time_unix_nano: start,
      end_time_unix_nano: start + duration,
      duration_ms: duration / 1e6,
      status_code: c.error[i] ? "error" : "ok",
      input_tokens: c.input_tokens[i] ?? null,
      output_tokens: c.output_tokens[i] ?? null,
      total_tokens: c.total_tokens[i] ?? null,
      cost_usd: cost ?? null,
      duplicate: c.duplicate[i] === 1,
    };
  }
  return out;
}
