"""Helpers that enrich whatever span is current (a `@trace` call, a `span()` block, or another OTel
instrumentation's span). Each returns at once when PyFlare is off or the current span is not recording.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, format_trace_id

from pyflare import semconv, span_data
from pyflare.runtime import RUNTIME


def _current() -> Span | None:
    if RUNTIME.tracer is None:
        return None
    span = trace.get_current_span()
    return span if span.is_recording() else None


def log_features(features: Mapping[str, Any]) -> None:
    """Model inputs for drift: each becomes `pyflare.features.<name>`."""
    if (span := _current()) is not None:
        span_data.write_features(span, features)


def log_prediction(value: Any, score: float | None = None) -> None:
    if (span := _current()) is not None:
        span_data.write_prediction(span, value, score)


def log_embedding(vector: Any, embedding_type: str = "input") -> None:
    """`pyflare.embedding` (float array) and `pyflare.embedding.type` ("input", "output", "query", ...)."""
    if (span := _current()) is not None:
        span_data.write_embedding(span, vector, embedding_type)


def log_retrieval_contexts(contexts: Iterable[Any]) -> None:
    if (span := _current()) is not None:
        span_data.write_retrieval_contexts(span, contexts)


def set_user(user_id: str) -> None:
    if (span := _current()) is not None:
        span.set_attribute(semconv.USER_ID, str(user_id))


def set_feature(feature_id: str) -> None:
    if (span := _current()) is not None:
        span.set_attribute(semconv.FEATURE_ID, str(feature_id))


def set_team(team: str) -> None:
    if (span := _current()) is not None:
        span.set_attribute(semconv.TEAM, str(team))


def set_session(session_id: str) -> None:
    """Conversation/session id, written as the GenAI `gen_ai.conversation.id`."""
    if (span := _current()) is not None:
        span.set_attribute(semconv.GEN_AI_CONVERSATION_ID, str(session_id))


def current_trace_id() -> str | None:
    """32-hex id of the current trace (to attach feedback later), or None outside a traced call."""
    ctx = trace.get_current_span().get_span_context()
    return format_trace_id(ctx.trace_id) if ctx.is_valid else None
