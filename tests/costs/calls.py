"""LLM calls recorded by the real OpenTelemetry SDK at chosen times, encoded with its OTLP encoder.

Each call is one span with the attributes a given instrumentation writes (GenAI semconv,
OpenInference, PyFlare's SDK attributes); `payload` is the ExportTraceServiceRequest bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import set_span_in_context


@dataclass(frozen=True)
class Call:
    attributes: Mapping[str, Any]
    start_ns: int
    name: str = "llm call"
    duration_ns: int = 500_000_000
    extra: Mapping[str, Any] = field(default_factory=dict)


def record(
    calls: Sequence[Call], project: str, service: str = "cost-tests", *, one_trace: bool = False
) -> list[ReadableSpan]:
    """A trace per call, or with `one_trace` one trace: the first call's span parents the others."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service, "pyflare.project": project}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.costs")
    parent = None
    for call in calls:
        span = tracer.start_span(call.name, context=parent, start_time=call.start_ns,
                                 attributes={**call.attributes, **call.extra})  # fmt: skip
        if one_trace and parent is None:
            parent = set_span_in_context(span)
        span.end(end_time=call.start_ns + call.duration_ns)
    provider.shutdown()
    return list(exporter.get_finished_spans())


def payload(spans: Sequence[ReadableSpan]) -> bytes:
    return encode_spans(spans).SerializeToString()


def span_ids(spans: Sequence[ReadableSpan]) -> list[tuple[str, str]]:
    return [(format(s.context.trace_id, "032x"), format(s.context.span_id, "016x")) for s in spans]


def genai(model: str, provider: str, inp: int, out: int, cache_read: int | None = None,
          cache_write: int | None = None, reasoning: int | None = None) -> dict[str, Any]:  # fmt: skip
    """Current GenAI semantic conventions (input includes cache reads and writes)."""
    attrs: dict[str, Any] = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": provider,
                             "gen_ai.request.model": model, "gen_ai.usage.input_tokens": inp,
                             "gen_ai.usage.output_tokens": out}  # fmt: skip
    for key, value in (("gen_ai.usage.cache_read.input_tokens", cache_read),
                       ("gen_ai.usage.cache_creation.input_tokens", cache_write),
                       ("gen_ai.usage.reasoning.output_tokens", reasoning)):  # fmt: skip
        if value is not None:
            attrs[key] = value
    return attrs


def openinference(model: str, provider: str, prompt: int, completion: int, cache_read: int | None = None,
                  cache_write: int | None = None, reasoning: int | None = None) -> dict[str, Any]:  # fmt: skip
    attrs: dict[str, Any] = {"openinference.span.kind": "LLM", "llm.model_name": model, "llm.provider": provider,
                             "llm.token_count.prompt": prompt, "llm.token_count.completion": completion}  # fmt: skip
    for key, value in (("llm.token_count.prompt_details.cache_read", cache_read),
                       ("llm.token_count.prompt_details.cache_write", cache_write),
                       ("llm.token_count.completion_details.reasoning", reasoning)):  # fmt: skip
        if value is not None:
            attrs[key] = value
    return attrs


def pyflare_sdk(model: str, provider: str, inp: int, out: int, reasoning: int | None = None,
                **who: str) -> dict[str, Any]:  # fmt: skip
    """What the PyFlare SDK's llm_span writes: pyflare.* identity and attribution, GenAI usage counts."""
    attrs: dict[str, Any] = {"pyflare.model.id": model, "pyflare.model.provider": provider,
                             "pyflare.inference.type": "llm", "gen_ai.usage.input_tokens": inp,
                             "gen_ai.usage.output_tokens": out}  # fmt: skip
    if reasoning is not None:
        attrs["gen_ai.usage.reasoning.output_tokens"] = reasoning
    for key in ("user", "feature", "team", "environment"):
        if key in who:
            attrs[{"user": "pyflare.user.id", "feature": "pyflare.feature.id"}.get(key, f"pyflare.{key}")] = who[key]
    return attrs
