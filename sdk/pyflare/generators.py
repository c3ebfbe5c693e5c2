"""Tracing of generator and async-generator functions: one span around the whole iteration.

The span is made current only while the wrapped generator runs (attached per step, detached before each
yield), so the consumer's code between items never sees it. It ends when the generator is exhausted,
closed early (status unset) or raises (recorded, status ERROR). send/throw/close are forwarded.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

from opentelemetry import context, trace

from pyflare import semconv
from pyflare.call_spec import CallSpec, open_span, wants_output
from pyflare.preview import StreamPreview
from pyflare.runtime import RUNTIME
from pyflare.span_data import record_failure


def trace_generator(fn: Callable[..., Generator[Any, Any, Any]], spec: CallSpec) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        tracer = RUNTIME.tracer
        if tracer is None:
            return (yield from fn(*args, **kwargs))
        span = open_span(tracer, spec, args, kwargs)
        ctx = trace.set_span_in_context(span)
        collected = StreamPreview(RUNTIME.preview_length) if wants_output(spec, span) else None
        try:
            inner = fn(*args, **kwargs)  # inside try: wrong arguments raise TypeError here
            step, sent = inner.send, None
            while True:
                token = context.attach(ctx)
                try:
                    item = step(sent)
                except StopIteration as stop:
                    result = stop.value
                    break
                finally:
                    context.detach(token)
                if collected is not None:
                    collected.add(item)
                try:
                    sent = yield item
                    step = inner.send
                except GeneratorExit:
                    token = context.attach(ctx)
                    try:
                        inner.close()
                    finally:
                        context.detach(token)
                    raise
                except BaseException as exc:  # thrown in by the consumer: forward it
                    step, sent = inner.throw, exc
        except Exception as exc:
            record_failure(span, exc)
            raise
        finally:
            if collected is not None:
                span.set_attribute(semconv.OUTPUT_PREVIEW, collected.text())
            span.end()
        return result

    return wrapper


def trace_async_generator(
    fn: Callable[..., AsyncGenerator[Any, Any]], spec: CallSpec
) -> Callable[..., AsyncGenerator[Any, Any]]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        tracer = RUNTIME.tracer
        span = None if tracer is None else open_span(tracer, spec, args, kwargs)
        ctx = None if span is None else trace.set_span_in_context(span)
        collected = StreamPreview(RUNTIME.preview_length) if span and wants_output(spec, span) else None
        try:
            inner = fn(*args, **kwargs)
            step, sent = inner.asend, None
            while True:
                token = None if ctx is None else context.attach(ctx)
                try:
                    item = await step(sent)
                except StopAsyncIteration:
                    break
                finally:
                    if token is not None:
                        context.detach(token)
                if collected is not None:
                    collected.add(item)
                try:
                    sent = yield item
                    step = inner.asend
                except GeneratorExit:
                    token = None if ctx is None else context.attach(ctx)
                    try:
                        await inner.aclose()
                    finally:
                        if token is not None:
                            context.detach(token)
                    raise
                except BaseException as exc:
                    step, sent = inner.athrow, exc
        except Exception as exc:
            if span is not None:
                record_failure(span, exc)
            raise
        finally:
            if span is not None:
                if collected is not None:
                    span.set_attribute(semconv.OUTPUT_PREVIEW, collected.text())
                span.end()

    return wrapper
