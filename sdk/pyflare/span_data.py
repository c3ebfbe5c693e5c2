"""Writers that put PyFlare and GenAI data onto one OTel span; shared by span handles and the
current-span helpers. Values are coerced to OTel attribute types (numpy/torch values via `tolist`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from pyflare import semconv

_PRIMITIVES = (bool, str, int, float)


def _homogeneous(items: list[Any]) -> AttributeValue:
    if all(isinstance(item, bool) for item in items):
        return items
    if all(isinstance(item, int) and not isinstance(item, bool) for item in items):
        return items
    if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items):
        return [float(item) for item in items]
    if all(isinstance(item, str) for item in items):
        return items
    return [str(item) for item in items]  # OTel arrays must hold one type


def attribute_value(value: Any) -> AttributeValue | None:
    """Coerce to a valid OTel attribute value; None means "do not set"."""
    if value is None or isinstance(value, _PRIMITIVES):
        return value
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, torch tensors
    if callable(tolist):
        value = tolist()
        if value is None or isinstance(value, _PRIMITIVES):
            return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return _homogeneous(list(value))
    return str(value)


def record_failure(span: Span, exc: BaseException) -> None:
    """Exception event + ERROR status + `error.type`, as the OTel conventions ask."""
    if not span.is_recording():
        return
    kind = type(exc)
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, f"{kind.__name__}: {exc}"))
    qualified = (
        kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    )
    span.set_attribute(semconv.ERROR_TYPE, qualified)


def set_value(span: Span, key: str, value: Any) -> None:
    coerced = attribute_value(value)
    if coerced is not None:
        span.set_attribute(key, coerced)


def write_features(span: Span, features: Mapping[str, Any]) -> None:
    for name, value in features.items():
        set_value(span, semconv.FEATURES_PREFIX + str(name), value)


def write_prediction(span: Span, value: Any, score: float | None = None) -> None:
    set_value(span, semconv.PREDICTION, value)
    if score is not None:
        span.set_attribute(semconv.PREDICTION_SCORE, float(score))


def write_embedding(span: Span, vector: Any, embedding_type: str = "input") -> None:
    tolist = getattr(vector, "tolist", None)
    items = tolist() if callable(tolist) else list(vector)
    try:
        floats = [float(x) for x in items]
    except (TypeError, ValueError):
        raise ValueError(
            "log_embedding expects a flat sequence of numbers (list, tuple or 1-D array)"
        ) from None
    span.set_attribute(semconv.EMBEDDING, floats)
    span.set_attribute(semconv.EMBEDDING_TYPE, embedding_type)


def write_retrieval_contexts(span: Span, contexts: Iterable[Any]) -> None:
    span.set_attribute(semconv.RETRIEVAL_CONTEXTS, [str(context) for context in contexts])


def write_tokens(
    span: Span,
    input: int | None = None,
    output: int | None = None,
    cache_read: int | None = None,
    cache_creation: int | None = None,
    reasoning: int | None = None,
) -> None:
    counts = (
        (semconv.GEN_AI_INPUT_TOKENS, input),
        (semconv.GEN_AI_OUTPUT_TOKENS, output),
        (semconv.GEN_AI_CACHE_READ_TOKENS, cache_read),
        (semconv.GEN_AI_CACHE_CREATION_TOKENS, cache_creation),
        (semconv.GEN_AI_REASONING_TOKENS, reasoning),
    )
    for key, count in counts:
        if count is not None:
            span.set_attribute(key, int(count))


def write_finish_reasons(span: Span, reasons: str | Iterable[str]) -> None:
    items = [reasons] if isinstance(reasons, str) else [str(reason) for reason in reasons]
    span.set_attribute(semconv.GEN_AI_FINISH_REASONS, items)
