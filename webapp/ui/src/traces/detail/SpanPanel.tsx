// The selected span: overview (timing, status, model, tokens, cost, subtree totals), attributes
// grouped by namespace, events with exceptions spelled out, and the chat transcript of LLM spans.
import { useMemo, useState } from "react";
import { CopyButton } from "../../components/CopyButton";
import { formatCost, formatDuration, formatTokens } from "../format";
import type { Totals } from "../waterfall/layout";
import { isLlm } from "../waterfall/Waterfall";
import { hasMessages, transcriptOf } from "./messages";
import { Transcript } from "./Transcript";
import type { Span } from "./span";

const VALUE_LIMIT = 2000;

function Value({ text }: { text: string }) {
  const [all, setAll] = useState(false);
  if (text.length <= VALUE_LIMIT || all) return <span className="kv-value">{text}</span>;
  return (
    <span className="kv-value">
      {text.slice(0, VALUE_LIMIT)}…{" "}
      {text.length < 2_000_000 && <button type="button" className="btn btn-small" onClick={() => setAll(true)}>show all ({Math.round(text.length / 1000)} k)</button>}
    </span>
  );
}

export function groupAttributes(attributes: Record<string, string>): [string, [string, string][]][] {
  const groups = new Map<string, [string, string][]>();
  for (const [k, v] of Object.entries(attributes)) {
    const dot = k.indexOf(".");
    const group = dot > 0 ? k.slice(0, dot) : "other";
    const list = groups.get(group) ?? [];
    list.push([k, v]);
    groups.set(group, list);
  }
  return [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([g, kv]) => [g, kv.sort((a, b) => a[0].localeCompare(b[0]))]);
}

function KV({ rows }: { rows: [string, React.ReactNode][] }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
    </dl>
  );
}

export function SpanPanel({ span, traceStart, totals, onClose }: {
  span: Span; traceStart: number; totals: Totals | undefined; onClose: () => void;
}) {
  const llm = isLlm(span);
  const recorded = useMemo(() => llm && hasMessages(transcriptOf(span)), [llm, span]);
  // without recorded messages, tokens and cost say more than an empty chat
  const [tab, setTab] = useState<"overview" | "messages" | "attributes" | "events">(recorded ? "messages" : "overview");
  const groups = useMemo(() => groupAttributes(span.attributes), [span.attributes]);
  const tabs = [["overview", "Overview"], ...(llm ? [["messages", "Messages"]] : []), ["attributes", `Attributes (${Object.keys(span.attributes).length})`],
    ["events", `Events (${span.events.length})`]] as [typeof tab, string][];
  const current = tabs.some(([t]) => t === tab) ? tab : "overview";
  return (
    <aside className="span-panel" aria-label={`Span ${span.name}`} data-testid="span-panel">
      <header className="panel-head">
        <div>
          <h2>{span.status_code === "error" && <span className="err-dot" aria-label="error" />} {span.name}</h2>
          <p className="muted small">{span.service_name} · {formatDuration(span.duration_ms)} · starts at +{formatDuration((span.start_time_unix_nano - traceStart) / 1e6)}</p>
        </div>
        <button type="button" className="btn btn-icon" onClick={onClose} aria-label="Close span details">×</button>
      </header>
      <div className="tabs" role="tablist" aria-label="Span details">
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" type="button" aria-selected={current === id} onClick={() => setTab(id)}>{label}</button>
        ))}
      </div>
      <div className="panel-body">
        {current === "overview" && (
          <>
            {span.status_code === "error" && (
              <p className="error-box small"><strong>Error</strong> {span.status_message || "(no message)"}</p>
            )}
            <KV rows={[
              ["span id", <span className="mono">{span.span_id} <CopyButton text={span.span_id} label="Copy span id" /></span>],
              ["kind", span.kind], ["status", span.status_code],
              ...(span.model_id ? [["model", `${span.model_id}${span.provider ? ` (${span.provider})` : ""}`] as [string, string]] : []),
              ...(span.operation ? [["operation", span.operation] as [string, string]] : []),
              ["tokens in / out", `${formatTokens(span.input_tokens)} / ${formatTokens(span.output_tokens)}`],
              ...(span.cache_read_tokens || span.reasoning_tokens
                ? [["cached / reasoning", `${formatTokens(span.cache_read_tokens)} / ${formatTokens(span.reasoning_tokens)}`] as [string, string]] : []),
              ["cost", formatCost(span.cost_usd)],
              ...(totals && totals.spans > 1 ? [["with children", `${totals.spans} spans · ${formatTokens(totals.tokens)} tokens · ${formatCost(totals.cost)} · ${totals.errors} errors`] as [string, string]] : []),
              ...(span.user_id ? [["user", span.user_id] as [string, string]] : []),
              ...(span.session_id ? [["session", span.session_id] as [string, string]] : []),
              ...(span.environment ? [["environment", span.environment] as [string, string]] : []),
            ]} />
          </>
        )}
        {current === "messages" && <Transcript span={span} />}
        {current === "attributes" && (
          <>
            {groups.map(([group, kv]) => (
              <details key={group} open className="attr-group">
                <summary>{group} <span className="muted small">({kv.length})</span></summary>
                <KV rows={kv.map(([k, v]) => [k, <Value text={v} />])} />
              </details>
            ))}
            <details className="attr-group">
              <summary>resource <span className="muted small">({Object.keys(span.resource).length})</span></summary>
              <KV rows={Object.entries(span.resource).map(([k, v]) => [k, <Value text={v} />])} />
            </details>
          </>
        )}
        {current === "events" && (
          span.events.length ? (
            <ol className="events">
              {span.events.map((ev, i) => (
                <li key={i} className={ev.name === "exception" ? "event exception" : "event"}>
                  <div><strong>{ev.name}</strong> <span className="muted small">+{formatDuration((ev.time_unix_nano - span.start_time_unix_nano) / 1e6)}</span></div>
                  {ev.name === "exception" ? (
                    <>
                      <p><code>{ev.attributes["exception.type"]}</code>: {ev.attributes["exception.message"]}</p>
                      {ev.attributes["exception.stacktrace"] && <pre className="json">{ev.attributes["exception.stacktrace"].slice(0, 20_000)}</pre>}
                    </>
                  ) : <KV rows={Object.entries(ev.attributes).map(([k, v]) => [k, <Value text={v} />])} />}
                </li>
              ))}
            </ol>
          ) : <p className="muted">No events.</p>
        )}
      </div>
    </aside>
  );
}
