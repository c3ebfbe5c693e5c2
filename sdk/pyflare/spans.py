"""`pyflare.span()` and `pyflare.llm_span()` context managers and the handle they yield.

When PyFlare is off, both return one shared no-op scope whose handle ignores every call. `llm_span`
writes the OTel GenAI conventions (span name "{operation} {model}", kind CLIENT) and GenAI metrics.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from opentelemetry import context, trace
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, format_span_id, format_trace_id

from pyflare import genai_messages, semconv, span_data
from pyflare.preview import render_value, truncate
from pyflare.runtime import RUNTIME


class SpanHandle:
    """What `with pyflare.span(...) as s` gives you; every method is a no-op on a non-recording span."""

    __slots__ = ("_input_tokens", "_output_tokens", "_response_model", "_track_usage", "span")

    def __init__(self, span: Span, track_usage: bool = False) -> None:
        self.span = span
        self._track_usage = track_usage
        self._input_tokens: int | None = None
        self._output_tokens: int | None = None
        self._response_model: str | None = None

    @property
    def trace_id(self) -> str | None:
        """32-hex trace id (for sending feedback later), None when nothing is traced."""
        ctx = self.span.get_span_context()
        return format_trace_id(ctx.trace_id) if ctx.is_valid else None

    @property
    def span_id(self) -> str | None:
        ctx = self.span.get_span_context()
        return format_span_id(ctx.span_id) if ctx.is_valid else None

    def set_attribute(self, key: str, value: Any) -> None:
        if self.span.is_recording():
            span_data.set_value(self.span, key, value)

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        if self.span.is_recording():
            for key, value in attributes.items():
                span_data.set_value(self.span, key, value)

    def set_input(self, value: Any) -> None:
        if self.span.is_recording() and RUNTIME.capture_content:
            self.span.set_attribute(
                semconv.INPUT_PREVIEW, _redacted(render_value(value, RUNTIME.preview_length))
            )

    def set_output(self, value: Any) -> None:
        """The reply's preview; a provider reply (e.g. one that only calls tools) is recorded as GenAI
        output messages, so its tool calls show instead of its empty text."""
        if not (self.span.is_recording() and RUNTIME.capture_content) or value is None:
            return
        replies = genai_messages.reply_messages(value, RUNTIME.redact)
        if replies is not None:
            text = genai_messages.to_json(replies)
            self.span.set_attribute(semconv.GEN_AI_OUTPUT_MESSAGES, text)
            self.span.set_attribute(semconv.OUTPUT_PREVIEW, truncate(text, RUNTIME.preview_length))
            return
        self.span.set_attribute(
            semconv.OUTPUT_PREVIEW, _redacted(render_value(value, RUNTIME.preview_length))
        )

    def set_tokens(
        self,
        input: int | None = None,
        output: int | None = None,
        cache_read: int | None = None,
        cache_creation: int | None = None,
        reasoning: int | None = None,
    ) -> None:
        if self._track_usage:  # kept even when sampled out: the token metrics count every call
            self._input_tokens = input if input is not None else self._input_tokens
            self._output_tokens = output if output is not None else self._output_tokens
        if self.span.is_recording():
            span_data.write_tokens(self.span, input, output, cache_read, cache_creation, reasoning)

    def set_finish_reasons(self, reasons: str | Iterable[str]) -> None:
        if self.span.is_recording():
            span_data.write_finish_reasons(self.span, reasons)

    def set_response_model(self, model: str) -> None:
        if self._track_usage:
            self._response_model = model
        if self.span.is_recording():
            self.span.set_attribute(semconv.GEN_AI_RESPONSE_MODEL, model)

    def set_user(self, user_id: str) -> None:
        self.set_attribute(semconv.USER_ID, user_id)

    def set_feature(self, feature_id: str) -> None:
        self.set_attribute(semconv.FEATURE_ID, feature_id)

    def set_team(self, team: str) -> None:
        self.set_attribute(semconv.TEAM, team)

    def set_session(self, session_id: str) -> None:
        self.set_attribute(semconv.GEN_AI_CONVERSATION_ID, session_id)

    def log_features(self, features: Mapping[str, Any]) -> None:
        if self.span.is_recording():
            span_data.write_features(self.span, features)

    def log_prediction(self, value: Any, score: float | None = None) -> None:
        if self.span.is_recording():
            span_data.write_prediction(self.span, value, score)

    def log_embedding(self, vector: Any, embedding_type: str = "input") -> None:
        if self.span.is_recording():
            span_data.write_embedding(self.span, vector, embedding_type)

    def log_retrieval_contexts(self, contexts: Iterable[Any]) -> None:
        if self.span.is_recording():
            span_data.write_retrieval_contexts(self.span, contexts)

    def record_exception(self, exc: BaseException) -> None:
        """Mark the span failed without raising (for errors you handle yourself)."""
        span_data.record_failure(self.span, exc)


def _redacted(text: str) -> str:
    redact = RUNTIME.redact
    return text if redact is None else redact(text)


NOOP_HANDLE = SpanHandle(INVALID_SPAN)


class _NoopScope:
    __slots__ = ()

    def __enter__(self) -> SpanHandle:
        return NOOP_HANDLE

    def __exit__(self, *exc_info: object) -> None:
        return None

    async def __aenter__(self) -> SpanHandle:
        return NOOP_HANDLE

    async def __aexit__(self, *exc_info: object) -> None:
        return None


NOOP_SCOPE = _NoopScope()


class SpanScope:
    """One use: starts the span on enter (as the current span), records a failure and ends it on exit."""

    __slots__ = ("_attributes", "_handle", "_kind", "_metric_attributes", "_name", "_started", "_token")

    def __init__(
        self,
        name: str,
        kind: SpanKind,
        attributes: dict[str, Any],
        metric_attributes: dict[str, Any] | None = None,
    ) -> None:
        self._name = name
        self._kind = kind
        self._attributes = attributes
        self._metric_attributes = metric_attributes
        self._handle = NOOP_HANDLE
        self._token: object | None = None
        self._started = 0.0

    def __enter__(self) -> SpanHandle:
        tracer = RUNTIME.tracer
        if tracer is None:  # switched off between creating and entering the scope
            return NOOP_HANDLE
        span = tracer.start_span(self._name, kind=self._kind, attributes=self._attributes)
        self._token = context.attach(trace.set_span_in_context(span))
        self._handle = SpanHandle(span, track_usage=self._metric_attributes is not None)
        self._started = time.perf_counter()
        return self._handle

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._token is None:
            return
        span = self._handle.span
        try:
            if isinstance(exc, Exception):
                span_data.record_failure(span, exc)
            if self._metric_attributes is not None:
                self._record_metrics(exc)
        finally:
            context.detach(self._token)  # type: ignore[arg-type]
            span.end()

    async def __aenter__(self) -> SpanHandle:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def _record_metrics(self, exc: BaseException | None) -> None:
        metrics = RUNTIME.genai_metrics
        if metrics is None or self._metric_attributes is None:
            return
        attributes = dict(self._metric_attributes)
        handle = self._handle
        if handle._response_model is not None:
            attributes[semconv.GEN_AI_RESPONSE_MODEL] = handle._response_model
        if isinstance(exc, Exception):
            attributes[semconv.ERROR_TYPE] = type(exc).__qualname__
        duration = time.perf_counter() - self._started
        metrics.record(attributes, duration, handle._input_tokens, handle._output_tokens, handle.span)


def _merge(attributes: Mapping[str, Any] | None, extra: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for source in (attributes or {}, extra):
        for key, value in source.items():
            coerced = span_data.attribute_value(value)
            if coerced is not None:
                merged[key] = coerced
    return merged


def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
    **attrs: Any,
) -> SpanScope | _NoopScope:
    """`with pyflare.span("rerank", top_k=5) as s:` - keyword arguments become span attributes."""
    if RUNTIME.tracer is None:
        return NOOP_SCOPE
    return SpanScope(name, kind, _merge(attributes, attrs))


def llm_span(
    name: str | None = None,
    *,
    model: str | None = None,
    provider: str | None = None,
    operation: str = "chat",
    response_model: str | None = None,
    model_version: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    **attrs: Any,
) -> SpanScope | _NoopScope:
    """A GenAI client span: `with pyflare.llm_span(model="gpt-4o", provider="openai") as s:`."""
    if RUNTIME.tracer is None:
        return NOOP_SCOPE
    inference = semconv.InferenceType.EMBEDDING if operation == "embeddings" else semconv.InferenceType.LLM
    genai = {
        semconv.GEN_AI_OPERATION: operation,
        semconv.GEN_AI_PROVIDER: provider,
        semconv.GEN_AI_REQUEST_MODEL: model,
    }
    own = {
        semconv.MODEL_ID: model,
        semconv.MODEL_PROVIDER: provider,
        semconv.MODEL_VERSION: model_version,
        semconv.INFERENCE_TYPE: inference.value,
        semconv.GEN_AI_RESPONSE_MODEL: response_model,
    }
    span_attributes = _merge({**genai, **own}, _merge(attributes, attrs))
    metric_attributes = {key: value for key, value in genai.items() if value is not None}
    if response_model is not None:
        metric_attributes[semconv.GEN_AI_RESPONSE_MODEL] = response_model
    span_name = name or (f"{operation} {model}" if model else operation)
    return SpanScope(span_name, SpanKind.CLIENT, span_attributes, metric_attributes)
