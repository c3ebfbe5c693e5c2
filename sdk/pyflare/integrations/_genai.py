"""What every provider integration does around one model call: start a GenAI CLIENT span, put usage,
finish reasons and (optionally) messages on it, add tool calls as child spans, classify errors,
record the GenAI metrics and end it. Kept lean: it runs on every instrumented call.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer

from pyflare import genai_messages, semconv, span_data
from pyflare.runtime import RUNTIME
from pyflare.settings import ENV_CAPTURE_CONTENT, parse_bool

# Span ids of framework LLM spans (LangChain) that are current while a provider client is called: the
# provider span claims its parent, so the framework span does not report the same call's usage again.
FRAMEWORK_LLM_SPANS: dict[int, bool] = {}

_NON_REQUEST_PARAMS = frozenset(
    {
        "model",
        "messages",
        "input",
        "stream",
        "stream_options",
        "tools",
        "prompt",
        "system",
        "instructions",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        "metadata",
        "user",
        "tool_choice",
        "response_format",
        "text",
    }
)


def capture_enabled(option: bool | None) -> bool:
    """Message bodies are captured only when asked: `instrument(capture_content=True)` or the
    environment variable set to true (the SDK-wide capture_content switch must also be on)."""
    if option is None:
        text = os.environ.get(ENV_CAPTURE_CONTENT, "").strip()
        option = parse_bool(text, ENV_CAPTURE_CONTENT) if text else False
    return bool(option)


def request_attributes(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """`gen_ai.request.*` from scalar call parameters (temperature, max_tokens, top_p, seed, ...)."""
    out = {}
    for key, value in kwargs.items():
        if key in _NON_REQUEST_PARAMS or value is None:
            continue
        if isinstance(value, (bool, int, float, str)):
            out[semconv.GEN_AI_REQUEST_PREFIX + key] = value
        elif key == "stop" and isinstance(value, list):
            out["gen_ai.request.stop_sequences"] = [str(v) for v in value]
    return out


def classify_error(exc: BaseException) -> str:
    """rate_limit, timeout, auth, bad_request, server, connection or other."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if "Timeout" in name or status == 408:
        return "timeout"
    if status == 429 or "RateLimit" in name:
        return "rate_limit"
    if status in (401, 403) or "Authentication" in name or "PermissionDenied" in name:
        return "auth"
    if isinstance(status, int) and 400 <= status < 500:
        return "bad_request"
    if (isinstance(status, int) and status >= 500) or "InternalServer" in name or "Overloaded" in name:
        return "server"
    if "Connection" in name:
        return "connection"
    return "other"


class Call:
    """One instrumented model call: what its span and the metrics need when it ends.

    The span is created only when something needs it (a stream to follow, tool-call children, a
    failure) or when the call ends, with every attribute known by then in one mapping and the call's
    start time: the OTel SDK validates each attribute once, instead of once at start and again in a
    second `set_attributes` step. `attributes` holds what is not on the span yet."""

    __slots__ = (
        "_context",
        "_name",
        "_span",
        "_start_ns",
        "_tracer",
        "attributes",
        "capture",
        "first_token_at",
        "input_tokens",
        "model",
        "operation",
        "output_tokens",
        "provider",
        "response_model",
        "started",
    )

    def __init__(
        self,
        tracer: Tracer,
        name: str,
        attributes: dict[str, Any],
        operation: str,
        provider: str,
        model: str | None,
        capture: bool,
    ) -> None:
        self._tracer = tracer
        self._name = name
        self._context = context_api.get_current()  # the caller's parent, kept for the span's creation
        self._span: Span | None = None
        self._start_ns = time.time_ns()
        self.started = time.perf_counter()
        self.attributes = attributes
        self.operation = operation
        self.provider = provider
        self.model = model
        self.capture = capture
        self.first_token_at: float | None = None
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.response_model: str | None = None

    @property
    def span(self) -> Span:
        """The call's span, created now if it is not yet."""
        return self._span or self.open()

    def open(self) -> Span:
        """Create the span with the attributes gathered so far (once; later calls return it)."""
        if self._span is None:
            attributes, self.attributes = self.attributes, {}
            self._span = self._tracer.start_span(
                self._name,
                context=self._context,
                kind=SpanKind.CLIENT,
                attributes=attributes,
                start_time=self._start_ns,
            )
        return self._span

    def mark_first_token(self) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
            self.attributes[semconv.TIME_TO_FIRST_TOKEN] = self.first_token_at - self.started

    def set_usage(
        self,
        input: int | None,
        output: int | None,
        cache_read: int | None = None,
        cache_creation: int | None = None,
        reasoning: int | None = None,
    ) -> None:
        self.input_tokens, self.output_tokens = input, output
        out = self.attributes  # unrolled: no tuple of pairs built on every call
        if input is not None:
            out[semconv.GEN_AI_INPUT_TOKENS] = int(input)
        if output is not None:
            out[semconv.GEN_AI_OUTPUT_TOKENS] = int(output)
        if cache_read:
            out[semconv.GEN_AI_CACHE_READ_TOKENS] = int(cache_read)
        if cache_creation:
            out[semconv.GEN_AI_CACHE_CREATION_TOKENS] = int(cache_creation)
        if reasoning:
            out[semconv.GEN_AI_REASONING_TOKENS] = int(reasoning)

    def set_response(self, response_id: str | None, model: str | None, finish_reasons: Iterable[str]) -> None:
        out = self.attributes
        if response_id:
            out[semconv.GEN_AI_RESPONSE_ID] = response_id
        if model:
            self.response_model = model
            out[semconv.GEN_AI_RESPONSE_MODEL] = model
        reasons = [r for r in finish_reasons if r]
        if reasons:
            out[semconv.GEN_AI_FINISH_REASONS] = reasons

    def set_messages(self, key: str, messages: Any) -> None:
        """Only when capture is on: the caller checks `self.capture` before building `messages`."""
        self.attributes[key] = genai_messages.to_json(messages)

    def tool_calls(self, calls: Iterable[tuple[str | None, str | None, Any]]) -> None:
        """(id, name, arguments) of each tool call the model asked for, as child spans."""
        tracer = RUNTIME.tracer
        if tracer is None:
            return
        parent = trace.set_span_in_context(self.span)
        redact = RUNTIME.redact
        for call_id, name, arguments in calls:
            attributes: dict[str, Any] = {semconv.GEN_AI_TOOL_TYPE: "function"}
            if name:
                attributes[semconv.GEN_AI_TOOL_NAME] = name
            if call_id:
                attributes[semconv.GEN_AI_TOOL_CALL_ID] = call_id
            if arguments is not None:
                text = arguments if isinstance(arguments, str) else genai_messages.to_json(arguments)
                attributes[semconv.GEN_AI_TOOL_CALL_ARGUMENTS] = redact(text) if redact is not None else text
            tracer.start_span(
                f"tool_call {name}", context=parent, kind=SpanKind.INTERNAL, attributes=attributes
            ).end()

    def fail(self, exc: BaseException) -> None:
        self.attributes[semconv.ERROR_CATEGORY] = classify_error(exc)
        span_data.record_failure(self.span, exc)
        self.end(exc)

    def end(self, exc: BaseException | None = None) -> None:
        span = self.span  # a call that needed no span before gets it here, all attributes at once
        if self.attributes:
            span.set_attributes(self.attributes)
        metrics = RUNTIME.genai_metrics
        if metrics is not None:
            # built once here, not at start and copied: the metric queue keeps this dict
            attributes: dict[str, Any] = {
                semconv.GEN_AI_OPERATION: self.operation,
                semconv.GEN_AI_PROVIDER: self.provider,
            }
            if self.model:
                attributes[semconv.GEN_AI_REQUEST_MODEL] = self.model
            if self.response_model is not None:
                attributes[semconv.GEN_AI_RESPONSE_MODEL] = self.response_model
            if exc is not None:
                attributes[semconv.ERROR_TYPE] = type(exc).__qualname__
            metrics.record(
                attributes,
                time.perf_counter() - self.started,
                self.input_tokens,
                self.output_tokens,
                span,
            )
        span.end()


def start_call(
    operation: str, provider: str, model: str | None, attributes: dict[str, Any], capture: bool
) -> Call | None:
    """Start the call whose span is "{operation} {model}" (None when PyFlare is off). `attributes` (the
    call's request and server attributes) becomes the span's mapping: the caller hands it over and keeps
    no reference. Only `gen_ai.*` names model and provider: the server reads `pyflare.model.*` and
    `pyflare.inference.type` only when those are absent, so repeating them would cost without adding."""
    tracer = RUNTIME.tracer
    if tracer is None:
        return None
    attributes[semconv.GEN_AI_OPERATION] = operation
    attributes[semconv.GEN_AI_PROVIDER] = provider
    if model:
        attributes[semconv.GEN_AI_REQUEST_MODEL] = model
    if FRAMEWORK_LLM_SPANS:
        parent_id = trace.get_current_span().get_span_context().span_id
        if parent_id in FRAMEWORK_LLM_SPANS:
            FRAMEWORK_LLM_SPANS[parent_id] = True
    name = f"{operation} {model}" if model else operation
    return Call(tracer, name, attributes, operation, provider, model, capture)


def run_sync(
    call: Call | None,
    original: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    on_result: Callable[[Call, Any], Any],
) -> Any:
    """Call the original; `on_result` records the answer (and may wrap a stream, ending the call later)."""
    try:
        result = original(*args, **kwargs)
    except BaseException as exc:
        if call is not None:
            call.fail(exc)
        raise
    if call is None:
        return result
    return finish_with(call, result, on_result)


def finish_with(call: Call, result: Any, on_result: Callable[[Call, Any], Any]) -> Any:
    """Record the result and end the call, unless `on_result` returns a wrapped stream that ends it
    later. A failure in recording never breaks the caller's call."""
    try:
        wrapped = on_result(call, result)
    except Exception:
        wrapped = None
    if wrapped is None:
        call.end()
        return result
    call.open()  # a stream's span starts now: the stream may outlive the caller's own span
    return wrapped


Start = Callable[[Any, dict[str, Any]], "Call | None"]  # (resource, kwargs) -> the started call
Handle = Callable[
    [dict[str, Any]], tuple[dict[str, Any], Callable[[Call, Any], Any]]
]  # -> (sent kwargs, on_result)


def sync_method(start: Start, handle: Handle) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A replacement for a client's `create` method: the plain call when PyFlare is off."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create(self: Any, *args: Any, **kwargs: Any) -> Any:
            if RUNTIME.tracer is None:
                return original(self, *args, **kwargs)
            call = start(self, kwargs)
            if call is None:
                return original(self, *args, **kwargs)
            sent, on_result = handle(kwargs)
            return run_sync(call, original, (self, *args), sent, on_result)

        return create

    return make


def async_method(start: Start, handle: Handle) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        async def create(self: Any, *args: Any, **kwargs: Any) -> Any:
            if RUNTIME.tracer is None:
                return await original(self, *args, **kwargs)
            call = start(self, kwargs)
            if call is None:
                return await original(self, *args, **kwargs)
            sent, on_result = handle(kwargs)
            try:
                result = await original(self, *args, **sent)
            except BaseException as exc:
                call.fail(exc)
                raise
            return finish_with(call, result, on_result)

        return create

    return make
