"""GenAI traces recorded by the real OpenTelemetry SDK, and the values storage should hold for them.

Each trace is a root span ("handle question") with one LLM child carrying the current GenAI
semantic conventions; expected row values are read off the SDK's own span objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode


def genai_traces(
    count: int, *, model: str = "gpt-4o-mini", project: str | None = "default", service: str = "support-bot",
    error: bool = False,
) -> list[ReadableSpan]:
    resource: dict[str, Any] = {"service.name": service}
    if project is not None:
        resource["pyflare.project"] = project
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create(resource))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.serve")
    for i in range(count):
        with tracer.start_as_current_span("handle question") as root:
            root.set_attribute("app.request.index", i)
            with tracer.start_as_current_span(f"chat {model}") as llm:
                llm.set_attributes({
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": model,
                    "gen_ai.usage.input_tokens": 100 + i,
                    "gen_ai.usage.output_tokens": 20 + i,
                })
                if error:
                    llm.set_status(Status(StatusCode.ERROR, "rate limited upstream"))
    provider.shutdown()
    return list(exporter.get_finished_spans())


def hex_trace_id(span: ReadableSpan) -> str:
    return format(span.context.trace_id, "032x")


def hex_span_id(span: ReadableSpan) -> str:
    return format(span.context.span_id, "016x")


def trace_ids(spans: Sequence[ReadableSpan]) -> set[str]:
    return {hex_trace_id(s) for s in spans}


def payload(spans: Sequence[ReadableSpan]) -> bytes:
    """The protobuf ExportTraceServiceRequest the SDK's OTLP exporters send for `spans`."""
    return encode_spans(spans).SerializeToString()


def sql_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)
