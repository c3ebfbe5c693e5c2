"""PyFlare SDK: OpenTelemetry-native tracing for AI/ML applications.

`pyflare.init(...)` once, then `@pyflare.trace`, `pyflare.span()`, `pyflare.llm_span()` and the
current-span helpers. Everything is exported as standard OTLP, so any OTel backend can receive it.
"""

from pyflare.client import PyFlare
from pyflare.current_span import (
    current_trace_id,
    log_embedding,
    log_features,
    log_prediction,
    log_retrieval_contexts,
    set_feature,
    set_session,
    set_team,
    set_user,
)
from pyflare.decorators import trace
from pyflare.integrations import instrument, uninstrument
from pyflare.lifecycle import flush, get_client, init, shutdown
from pyflare.semconv import InferenceType
from pyflare.spans import SpanHandle, llm_span, span
from pyflare.version import __version__

__all__ = [
    "InferenceType",
    "PyFlare",
    "SpanHandle",
    "__version__",
    "current_trace_id",
    "flush",
    "get_client",
    "init",
    "instrument",
    "llm_span",
    "log_embedding",
    "log_features",
    "log_prediction",
    "log_retrieval_contexts",
    "set_feature",
    "set_session",
    "set_team",
    "set_user",
    "shutdown",
    "span",
    "trace",
    "uninstrument",
]
