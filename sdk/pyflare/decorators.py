"""`@pyflare.trace`: a span around each call of a sync, async, generator or async-generator function.

Usable bare (`@trace`), with a name (`@trace("rank")`) or with options (`@trace(model_id=...)`).
When PyFlare is off the wrapper makes one attribute check and calls the function directly.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar, overload

from opentelemetry import context
from opentelemetry import trace as otel_trace

from pyflare import semconv
from pyflare.call_spec import CallSpec, build_spec, open_span, write_output
from pyflare.generators import trace_async_generator, trace_generator
from pyflare.runtime import RUNTIME
from pyflare.semconv import InferenceType, inference_type_value
from pyflare.span_data import attribute_value, record_failure

P = ParamSpec("P")
R = TypeVar("R")


def _trace_function(fn: Callable[P, R], spec: CallSpec) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        tracer = RUNTIME.tracer
        if tracer is None:
            return fn(*args, **kwargs)
        span = open_span(tracer, spec, args, kwargs)
        token = context.attach(otel_trace.set_span_in_context(span))
        try:
            result = fn(*args, **kwargs)
            write_output(spec, span, result)
            return result
        except Exception as exc:
            record_failure(span, exc)
            raise
        finally:
            context.detach(token)
            span.end()

    return wrapper


def _trace_coroutine(fn: Callable[P, Any], spec: CallSpec) -> Callable[P, Any]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        tracer = RUNTIME.tracer
        if tracer is None:
            return await fn(*args, **kwargs)
        span = open_span(tracer, spec, args, kwargs)
        token = context.attach(otel_trace.set_span_in_context(span))
        try:
            result = await fn(*args, **kwargs)
            write_output(spec, span, result)
            return result
        except Exception as exc:
            record_failure(span, exc)
            raise
        finally:
            context.detach(token)
            span.end()

    return wrapper


def _static_attributes(
    model_id: str | None,
    model_version: str | None,
    provider: str | None,
    inference_type: InferenceType | str | None,
    attributes: Mapping[str, Any] | None,
) -> dict[str, Any]:
    static: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        coerced = attribute_value(value)
        if coerced is not None:
            static[key] = coerced
    named = {
        semconv.MODEL_ID: model_id,
        semconv.MODEL_VERSION: model_version,
        semconv.MODEL_PROVIDER: provider,
        semconv.INFERENCE_TYPE: None if inference_type is None else inference_type_value(inference_type),
    }
    static.update({key: value for key, value in named.items() if value is not None})
    return static


@overload
def trace(func: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def trace(
    func: str | None = None,
    /,
    *,
    name: str | None = None,
    model_id: str | None = None,
    model_version: str | None = None,
    provider: str | None = None,
    inference_type: InferenceType | str | None = None,
    capture_input: bool = True,
    capture_output: bool = True,
    attributes: Mapping[str, Any] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def trace(
    func: Callable[..., Any] | str | None = None,
    /,
    *,
    name: str | None = None,
    model_id: str | None = None,
    model_version: str | None = None,
    provider: str | None = None,
    inference_type: InferenceType | str | None = None,
    capture_input: bool = True,
    capture_output: bool = True,
    attributes: Mapping[str, Any] | None = None,
) -> Any:
    """Trace every call of the decorated function (span name defaults to its qualified name).

    Exceptions are recorded on the span (event + ERROR status + error.type) and re-raised. Input/output
    previews go to `pyflare.input.preview` / `pyflare.output.preview` unless capture is switched off here
    or globally (`init(capture_content=False)`); a generator's output preview is its yielded items.
    """
    if isinstance(func, str):  # @trace("span-name")
        name, func = name or func, None
    static = _static_attributes(model_id, model_version, provider, inference_type, attributes)

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        spec = build_spec(fn, name, static, capture_input, capture_output)
        if inspect.isasyncgenfunction(fn):
            return trace_async_generator(fn, spec)
        if inspect.iscoroutinefunction(fn):
            return _trace_coroutine(fn, spec)
        if inspect.isgeneratorfunction(fn):
            return trace_generator(fn, spec)
        return _trace_function(fn, spec)

    return decorate if func is None else decorate(func)
