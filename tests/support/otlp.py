"""Real OTLP payloads for tests, made by the OpenTelemetry SDK and its own OTLP encoder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


def record_spans(
    count: int,
    *,
    service: str = "test-service",
    project: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    name: str = "chat gpt-4o",
) -> list[ReadableSpan]:
    """`count` finished spans from the real SDK, each with `attributes` and its index."""
    resource = {"service.name": service}
    if project:
        resource["pyflare.project"] = project
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create(resource))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests")
    for i in range(count):
        with tracer.start_as_current_span(name) as span:
            span.set_attributes(dict(attributes or {}))
            span.set_attribute("test.index", i)
    provider.shutdown()
    return list(exporter.get_finished_spans())


def encode(spans: Sequence[ReadableSpan]) -> bytes:
    return encode_spans(spans).SerializeToString()


def trace_payloads(total: int, per_request: int, **kwargs: Any) -> list[bytes]:
    """`total` spans split into OTLP ExportTraceServiceRequest payloads of `per_request` spans."""
    spans = record_spans(total, **kwargs)
    return [encode(spans[i : i + per_request]) for i in range(0, total, per_request)]
