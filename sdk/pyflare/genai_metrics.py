"""GenAI client metrics recorded when an `llm_span` ends (OTel GenAI metric conventions).

`gen_ai.client.operation.duration` in seconds and `gen_ai.client.token.usage` per token type, with the
bucket boundaries the conventions recommend.

Recording a histogram point in the OTel SDK (attribute validation and hashing, exemplar sampling) costs
about as much as a span, three times per call. So a call only queues its figures; they go into the
histograms when a metric reader collects (a callback that runs before every collection, on the reader's
thread) or, when more than `PENDING_LIMIT` wait, on the recording thread. Nothing is lost and memory
stays bounded; the span kept with each entry gives exemplars their trace link, as a direct record would.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.metrics import CallbackOptions, Meter, Observation
from opentelemetry.trace import Span

from pyflare import semconv

_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
_TOKEN_BUCKETS = [4.0**n for n in range(14)]  # 1, 4, 16, ... 67108864
PENDING_LIMIT = 1024
_DRAIN_INSTRUMENT = "pyflare.sdk.genai_metrics.drain"  # observes nothing: its callback drains the queue

_NO_CONTEXT = Context()  # not the draining thread's own context: exemplars must not link to its span
Pending = tuple[Mapping[str, Any], float, "int | None", "int | None", "Span | None"]


class GenAiMetrics:
    def __init__(self, meter: Meter) -> None:
        self._duration = meter.create_histogram(
            semconv.GEN_AI_DURATION_METRIC,
            unit="s",
            description="Duration of GenAI client operations",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self._tokens = meter.create_histogram(
            semconv.GEN_AI_TOKEN_USAGE_METRIC,
            unit="{token}",
            description="Tokens used per GenAI client operation",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self._pending: deque[Pending] = deque()  # append/popleft are atomic: no lock on the hot path
        meter.create_observable_gauge(_DRAIN_INSTRUMENT, callbacks=[self._on_collect])

    def record(
        self,
        attributes: Mapping[str, Any],
        duration_s: float,
        input_tokens: int | None,
        output_tokens: int | None,
        span: Span | None = None,
    ) -> None:
        """Queue one call's figures; `attributes` must not be changed afterwards."""
        self._pending.append((attributes, duration_s, input_tokens, output_tokens, span))
        if len(self._pending) > PENDING_LIMIT:
            self.drain()

    def drain(self) -> None:
        """Put every queued call into the histograms."""
        pending = self._pending
        while True:
            try:
                attributes, duration_s, input_tokens, output_tokens, span = pending.popleft()
            except IndexError:
                return
            ctx = _NO_CONTEXT if span is None else trace.set_span_in_context(span, _NO_CONTEXT)
            self._duration.record(duration_s, attributes, ctx)
            for token_type, count in (("input", input_tokens), ("output", output_tokens)):
                if count is not None:
                    self._tokens.record(count, {**attributes, semconv.GEN_AI_TOKEN_TYPE: token_type}, ctx)

    def _on_collect(self, options: CallbackOptions) -> Iterable[Observation]:
        self.drain()
        return ()
