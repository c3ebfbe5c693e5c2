// The "send your first trace" snippets, for the server's OTLP endpoint and the user's project.

export interface SnippetInput {
  endpoint: string;
  project: string;
}

export function pythonSnippet({ endpoint, project }: SnippetInput): string {
  return `# pip install pyflare-sdk    (export PYFLARE_API_KEY=<a key of project "${project}">)
import pyflare

pyflare.init(service_name="my-app", endpoint="${endpoint}", project="${project}")

with pyflare.llm_span(model="gpt-4o", provider="openai") as span:
    span.set_input("Hello")
    span.set_output("Hi! How can I help?")
    span.set_tokens(input=5, output=7)
`;
}

export function otelEnvSnippet({ endpoint, project }: SnippetInput): string {
  return `# any OpenTelemetry SDK or instrumentation
export OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}
export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
export OTEL_EXPORTER_OTLP_HEADERS=x-api-key=<a key of project "${project}">
export OTEL_RESOURCE_ATTRIBUTES=pyflare.project=${project}
`;
}
