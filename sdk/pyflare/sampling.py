"""Ratio sampling that still keeps every trace with an error ("keep errors").

A trace the ratio leaves out is not dropped at its first span any more: its spans are recorded but not
marked sampled (`RECORD_ONLY`), and `ErrorKeepingSpanProcessor` holds them in a bounded buffer until the
trace's local root ends. If any of its spans failed (status ERROR or an exception event), the whole
trace goes to the exporter, marked sampled; otherwise it is dropped. Sampled traces pass straight
through, untouched.

Memory is bounded by a span count (`max_buffered_spans`, default 10 000; a buffered span with ten
short attributes measured ~2.6 KB, so ~26 MB when full, more with long previews). When the buffer is
full the oldest buffered trace is dropped whole, and its later spans are not buffered: a trace is
exported whole or not at all.

Cost: spans of left-out traces are now real recording spans (attribute work as for a kept trace), so a
ratio below 1 saves export volume, not in-process CPU. `keep_errors=False` restores plain head sampling.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanContext, SpanKind, StatusCode, TraceFlags
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

DEFAULT_MAX_BUFFERED_SPANS = 10_000
_EVICTED_MEMORY = 4096  # how many dropped trace ids are remembered so their late spans are dropped too


class KeepErrorsSampler(Sampler):
    """TraceIdRatioBased for roots, but a left-out root is recorded (not sampled) instead of dropped.

    Children follow their parent: sampled stays sampled; a not-sampled local parent that is still
    recording (a buffered trace) gives a recorded child; a remote parent's decision is kept as is.
    """

    def __init__(self, rate: float) -> None:
        self._ratio = TraceIdRatioBased(rate)
        self._remote = ParentBased(self._ratio)  # remote parents: the upstream decision wins

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context)
        parent_ctx = parent.get_span_context()
        if parent_ctx.is_valid:
            if parent_ctx.is_remote or parent_ctx.trace_flags.sampled:
                return self._remote.should_sample(
                    parent_context, trace_id, name, kind, attributes, links, trace_state
                )
            decision = Decision.RECORD_ONLY if parent.is_recording() else Decision.DROP
            return SamplingResult(decision, None, parent_ctx.trace_state)
        result = self._ratio.should_sample(parent_context, trace_id, name, kind, attributes, links)
        if result.decision is Decision.DROP:
            return SamplingResult(Decision.RECORD_ONLY, None, trace_state)
        return result

    def get_description(self) -> str:
        return f"PyFlareKeepErrors{{{self._ratio.get_description()}}}"


def _failed(span: ReadableSpan) -> bool:
    if span.status.status_code is StatusCode.ERROR:
        return True
    return any(event.name == "exception" for event in span.events)


def _as_sampled(span: ReadableSpan) -> ReadableSpan:
    """The same finished span with the sampled flag set, so the export processor takes it."""
    ctx = span.context
    sampled = SpanContext(
        ctx.trace_id, ctx.span_id, ctx.is_remote, TraceFlags(TraceFlags.SAMPLED), ctx.trace_state
    )
    return ReadableSpan(
        name=span.name,
        context=sampled,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class _Buffered:
    __slots__ = ("failed", "spans")

    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []
        self.failed = False


class ErrorKeepingSpanProcessor(SpanProcessor):
    """Passes sampled spans to `delegate`; buffers the others per trace and forwards a trace whole
    when its local root ends and one of its spans failed."""

    def __init__(self, delegate: SpanProcessor, max_buffered_spans: int = DEFAULT_MAX_BUFFERED_SPANS) -> None:
        if max_buffered_spans < 1:
            raise ValueError("max_buffered_spans must be at least 1")
        self._delegate = delegate
        self._max = max_buffered_spans
        self._traces: OrderedDict[int, _Buffered] = OrderedDict()  # oldest first, for eviction
        self._evicted: OrderedDict[int, None] = OrderedDict()
        self._count = 0
        self._lock = threading.Lock()
        self.dropped_traces = 0  # left out and error-free, or evicted by the bound
        self.kept_error_traces = 0

    @property
    def buffered_spans(self) -> int:
        return self._count

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._delegate.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        ctx = span.context
        if ctx is None or ctx.trace_flags.sampled:
            self._delegate.on_end(span)
            return
        local_root = span.parent is None or span.parent.is_remote
        with self._lock:
            flush = self._buffer(ctx.trace_id, span, local_root)
        for buffered in flush:
            self._delegate.on_end(_as_sampled(buffered))

    def _buffer(self, trace_id: int, span: ReadableSpan, local_root: bool) -> list[ReadableSpan]:
        """Under the lock: add the span; the spans to export now (the trace is complete and failed)."""
        if trace_id in self._evicted:
            if local_root:
                del self._evicted[trace_id]
            return []
        entry = self._traces.get(trace_id)
        if entry is None:
            entry = self._traces[trace_id] = _Buffered()
        while self._count >= self._max:
            self._evict_oldest()
            if trace_id not in self._traces:  # this trace itself was the oldest: it is dropped whole
                return []
        entry.spans.append(span)
        entry.failed = entry.failed or _failed(span)
        self._count += 1
        if not local_root:
            return []
        del self._traces[trace_id]
        self._count -= len(entry.spans)
        if entry.failed:
            self.kept_error_traces += 1
            return entry.spans
        self.dropped_traces += 1
        return []

    def _evict_oldest(self) -> None:
        trace_id, entry = self._traces.popitem(last=False)
        self._count -= len(entry.spans)
        self.dropped_traces += 1
        self._evicted[trace_id] = None
        if len(self._evicted) > _EVICTED_MEMORY:
            self._evicted.popitem(last=False)

    def _failed_traces(self) -> list[ReadableSpan]:
        """At shutdown: the spans of failed traces whose root has not ended (they would be lost)."""
        with self._lock:
            spans = [s for entry in self._traces.values() if entry.failed for s in entry.spans]
            self._traces.clear()
            self._count = 0
        return spans

    def shutdown(self) -> None:
        for span in self._failed_traces():
            self._delegate.on_end(_as_sampled(span))
        self._delegate.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._delegate.force_flush(timeout_millis)
