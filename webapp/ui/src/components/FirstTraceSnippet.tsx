// The empty state of telemetry pages: how to send the first trace to this server.
import { useState } from "react";
import { serverConfig } from "../app/config";
import { CopyButton } from "./CopyButton";
import { otelEnvSnippet, pythonSnippet } from "./snippets";

export function FirstTraceSnippet({ project, title = "No traces yet" }: { project: string; title?: string }) {
  const [tab, setTab] = useState<"python" | "otel">("python");
  const input = { endpoint: serverConfig().otlpHttpEndpoint, project };
  const text = tab === "python" ? pythonSnippet(input) : otelEnvSnippet(input);
  return (
    <div className="empty" data-testid="first-trace">
      <p className="empty-title">{title}</p>
      <p className="muted">
        Send telemetry to <code>{input.endpoint}</code> with an API key of project <strong>{project}</strong>
        {" "}(create one under Settings); traces appear here within a second.
      </p>
      <div className="tabs" role="tablist" aria-label="Snippet language">
        <button role="tab" type="button" aria-selected={tab === "python"} onClick={() => setTab("python")}>Python SDK</button>
        <button role="tab" type="button" aria-selected={tab === "otel"} onClick={() => setTab("otel")}>OpenTelemetry env</button>
      </div>
      <div className="snippet">
        <pre aria-label="snippet"><code>{text}</code></pre>
        <CopyButton text={text} label="Copy snippet" />
      </div>
    </div>
  );
}
