// An LLM span's input and output as a chat: roles, text, tool calls shown as calls and tool
// answers linked to them; a JSON view of the raw attributes. Large payloads are gated: text beyond
// RENDER_LIMIT needs a click, and anything above PARSE_LIMIT is offered as a download, never rendered.
import { useMemo, useState } from "react";
import { hasMessages, PARSE_LIMIT, RENDER_LIMIT, transcriptOf, type Message } from "./messages";
import type { Span } from "./span";

function Gated({ text }: { text: string }) {
  const [all, setAll] = useState(false);
  if (text.length > PARSE_LIMIT) {
    const href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    return (
      <p className="muted">
        {(text.length / 1e6).toFixed(1)} MB — too large to show here. <a href={href} download="value.txt">Download it</a>
        <br /><code>{text.slice(0, 500)}…</code>
      </p>
    );
  }
  if (text.length <= RENDER_LIMIT || all) return <span className="msg-text">{text}</span>;
  return (
    <>
      <span className="msg-text">{text.slice(0, RENDER_LIMIT)}</span>
      <button type="button" className="btn btn-small" onClick={() => setAll(true)}>
        Show all ({Math.round(text.length / 1000)} k characters)
      </button>
    </>
  );
}

function Bubble({ m }: { m: Message }) {
  return (
    <li className={`msg msg-${m.role}`} data-testid="chat-message" data-role={m.role}>
      <div className="msg-role">{m.role}{m.toolCallId ? ` → answers ${m.toolCallId}` : ""}</div>
      {m.text && <Gated text={m.text} />}
      {m.toolCalls.map((c, i) => (
        <div key={i} className="tool-call" data-testid="tool-call">
          <span className="tool-name">{c.name}</span>(<code>{c.arguments.length > 2000 ? `${c.arguments.slice(0, 2000)}…` : c.arguments}</code>)
          {c.id && <span className="muted small"> · {c.id}</span>}
        </div>
      ))}
    </li>
  );
}

const RAW_KEYS = ["gen_ai.input.messages", "gen_ai.output.messages", "input.value", "output.value"];

export function Transcript({ span }: { span: Span }) {
  const [mode, setMode] = useState<"pretty" | "json">("pretty");
  const t = useMemo(() => transcriptOf(span), [span]);
  const raw = RAW_KEYS.filter((k) => span.attributes[k] !== undefined);
  return (
    <div className="transcript" data-testid="transcript">
      <div className="tabs" role="tablist" aria-label="Message view">
        <button role="tab" type="button" aria-selected={mode === "pretty"} onClick={() => setMode("pretty")}>Pretty</button>
        <button role="tab" type="button" aria-selected={mode === "json"} onClick={() => setMode("json")}>JSON</button>
        <span className="muted small">from {t.source}</span>
      </div>
      {t.oversized.map((o) => (
        <p key={o.key} className="notice">{o.key} is {(o.size / 1e6).toFixed(1)} MB: not parsed (above the 2 MB gate); see JSON.</p>
      ))}
      {mode === "pretty" && !hasMessages(t) && t.oversized.length === 0 ? (
        <div className="notice" data-testid="no-content">
          <p>No message content was recorded for this call.</p>
          <p className="muted small">
            Instrumentations leave message bodies out unless asked. Turn content capture on in the application:
            PyFlare&apos;s SDK with <code>PYFLARE_CAPTURE_CONTENT=true</code>, OpenTelemetry&apos;s GenAI instrumentations
            with <code>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</code>.
          </p>
        </div>
      ) : mode === "pretty" ? (
        <>
          <h4>Input</h4>
          {t.input.length ? <ol className="chat">{t.input.map((m, i) => <Bubble key={i} m={m} />)}</ol> : <p className="muted">none recorded</p>}
          <h4>Output</h4>
          {t.output.length ? <ol className="chat">{t.output.map((m, i) => <Bubble key={i} m={m} />)}</ol> : <p className="muted">none recorded</p>}
        </>
      ) : (
        <div>
          {(raw.length ? raw : []).map((k) => (
            <div key={k}><h4>{k}</h4><pre className="json"><Gated text={prettyJson(span.attributes[k]!)} /></pre></div>
          ))}
          <h4>previews</h4>
          <pre className="json">{JSON.stringify({ input_preview: span.input_preview, output_preview: span.output_preview }, null, 2)}</pre>
        </div>
      )}
    </div>
  );
}

function prettyJson(raw: string): string {
  if (raw.length > PARSE_LIMIT) return raw;
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}
