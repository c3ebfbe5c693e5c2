"""What `@pyflare.trace` fixes at decoration time, and opening/closing a call's span from it.

Everything that does not depend on the call (name, static attributes, argument names) is computed once
so the per-call work is the span itself plus the previews.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from opentelemetry.trace import Span, Tracer

from pyflare import semconv
from pyflare.preview import render_call, render_value
from pyflare.runtime import RUNTIME


@dataclass(frozen=True, slots=True)
class CallSpec:
    name: str
    attributes: Mapping[str, Any]
    capture_input: bool
    capture_output: bool
    arg_names: tuple[str, ...]
    skip_first: bool  # methods: `self`/`cls` is not part of the input preview


def default_span_name(fn: Callable[..., Any]) -> str:
    qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    return qualname.rsplit("<locals>.", 1)[-1]


def positional_names(fn: Callable[..., Any]) -> tuple[str, ...]:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # some builtins and C callables have no signature
        return ()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in kinds)


def build_spec(
    fn: Callable[..., Any],
    name: str | None,
    attributes: Mapping[str, Any],
    capture_input: bool,
    capture_output: bool,
) -> CallSpec:
    names = positional_names(fn)
    skip_first = bool(names) and names[0] in ("self", "cls")
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    static = dict(attributes)
    if module and qualname:
        static.setdefault(semconv.CODE_FUNCTION, f"{module}.{qualname}")
    return CallSpec(
        name=name or default_span_name(fn),
        attributes=static,
        capture_input=capture_input,
        capture_output=capture_output,
        arg_names=names[1:] if skip_first else names,
        skip_first=skip_first,
    )


def open_span(tracer: Tracer, spec: CallSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Span:
    span = tracer.start_span(spec.name, attributes=spec.attributes)
    if spec.capture_input and RUNTIME.capture_content and span.is_recording():
        shown = args[1:] if spec.skip_first else args
        preview = render_call(spec.arg_names, shown, kwargs, RUNTIME.preview_length)
        if preview is not None:
            span.set_attribute(semconv.INPUT_PREVIEW, preview)
    return span


def wants_output(spec: CallSpec, span: Span) -> bool:
    return spec.capture_output and RUNTIME.capture_content and span.is_recording()


def write_output(spec: CallSpec, span: Span, result: Any) -> None:
    if wants_output(spec, span):
        span.set_attribute(semconv.OUTPUT_PREVIEW, render_value(result, RUNTIME.preview_length))
