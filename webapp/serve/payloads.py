"""The three OTLP signals as the receivers see them: paths, message types, validation, counting.

A request is checked here before it is accepted, with the same rules the normalisers apply
(malformed or all-zero ids, times outside the storable range, exponential histogram scales outside
-10..20: `workers.telemetry.limits`), so a client gets a 400 instead of its data ending as a dead letter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from workers.ingest.settings import SIGNAL_TOPICS
from workers.telemetry.decode import decode_request
from workers.telemetry.errors import DecodeError, quoted
from workers.telemetry.limits import MAX_SCALE, MAX_TIME_NS, MIN_SCALE, TimeWindow, check_scale, check_time
from workers.telemetry.options import NormaliseOptions

_TOPIC_OF = {signal: topic for topic, signal in SIGNAL_TOPICS.items()}


@dataclass(frozen=True)
class OtlpSignal:
    name: str  # traces | metrics | logs (workers.telemetry.columns.SIGNALS)
    path: str  # OTLP/HTTP path
    request_type: type[Message]
    response_type: type[Message]
    resources: Callable[[Any], Iterable[Any]]  # request -> its Resource* messages (with .resource)
    check: Callable[[Any], int]  # request -> item count; raises DecodeError on what storage refuses

    @property
    def topic(self) -> str:
        return _TOPIC_OF[self.name]

    def decode(self, payload: bytes, encoding: str) -> Message:
        return decode_request(payload, encoding, self.request_type, self.name)


@cache
def _options() -> NormaliseOptions:
    return NormaliseOptions.from_env()  # the retention the ingest loop checks against too


def _window() -> TimeWindow:
    return _options().time_window()


_ZERO_TRACE, _ZERO_SPAN = bytes(16), bytes(8)


def _check_spans(request: ExportTraceServiceRequest) -> int:
    count = 0
    window = _window()
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            for span in ss.spans:
                if len(span.trace_id) != 16 or len(span.span_id) != 8 or len(span.parent_span_id) not in (0, 8):
                    raise DecodeError(
                        f"traces: span #{count} ({quoted(span.name)}) has malformed ids: trace_id "
                        f"{len(span.trace_id)} bytes (want 16), span_id {len(span.span_id)} bytes (want 8), "
                        f"parent_span_id {len(span.parent_span_id)} bytes (want 0 or 8)"
                    )
                if span.trace_id == _ZERO_TRACE or span.span_id == _ZERO_SPAN:
                    field = "trace_id" if span.trace_id == _ZERO_TRACE else "span_id"
                    raise DecodeError(f"traces: span #{count} ({quoted(span.name)}) has an all-zero {field}, "
                                      "which OTLP calls invalid")
                if not window.earliest <= span.start_time_unix_nano <= window.latest or \
                        span.end_time_unix_nano > MAX_TIME_NS:
                    what = f"traces: span #{count} ({quoted(span.name)})"
                    window.check(span.start_time_unix_nano, f"{what} start_time_unix_nano")
                    check_time(span.end_time_unix_nano, f"{what} end_time_unix_nano")
                for link in span.links:
                    if len(link.trace_id) != 16 or len(link.span_id) != 8:
                        raise DecodeError(f"traces: span #{count} ({quoted(span.name)}) has a link with malformed ids")
                for event in span.events:
                    if event.time_unix_nano > MAX_TIME_NS:
                        check_time(event.time_unix_nano,
                                   f"traces: span #{count} event {quoted(event.name)} time_unix_nano")
                count += 1
    return count


def _check_points(request: ExportMetricsServiceRequest) -> int:
    count = 0
    window = _window()
    for rm in request.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                kind = metric.WhichOneof("data")
                if kind is None:
                    continue
                for point in getattr(metric, kind).data_points:
                    if (not window.earliest <= point.time_unix_nano <= window.latest
                            or point.start_time_unix_nano > MAX_TIME_NS
                            or (kind == "exponential_histogram" and not MIN_SCALE <= point.scale <= MAX_SCALE)):
                        what = f"metrics: {quoted(metric.name)} point #{count}"
                        window.check(point.time_unix_nano, f"{what} time_unix_nano")
                        check_time(point.start_time_unix_nano, f"{what} start_time_unix_nano")
                        if kind == "exponential_histogram":
                            check_scale(point.scale, what)
                    count += 1
    return count


def _check_records(request: ExportLogsServiceRequest) -> int:
    count = 0
    window = _window()
    for rl in request.resource_logs:
        for sl in rl.scope_logs:
            for record in sl.log_records:
                if len(record.trace_id) not in (0, 16) or len(record.span_id) not in (0, 8):
                    raise DecodeError(
                        f"logs: record #{count} has a malformed trace_id ({len(record.trace_id)} bytes, want 16) "
                        f"or span_id ({len(record.span_id)} bytes, want 8)"
                    )
                time = record.time_unix_nano or record.observed_time_unix_nano
                if not window.earliest <= time <= window.latest or record.observed_time_unix_nano > MAX_TIME_NS:
                    what = f"logs: record #{count}"
                    window.check(time, f"{what} time_unix_nano (or observed_time_unix_nano when 0)")
                    check_time(record.observed_time_unix_nano, f"{what} observed_time_unix_nano")
                count += 1
    return count


SIGNALS: dict[str, OtlpSignal] = {
    s.name: s
    for s in (
        OtlpSignal("traces", "/v1/traces", ExportTraceServiceRequest, ExportTraceServiceResponse,
                   lambda r: r.resource_spans, _check_spans),
        OtlpSignal("metrics", "/v1/metrics", ExportMetricsServiceRequest, ExportMetricsServiceResponse,
                   lambda r: r.resource_metrics, _check_points),
        OtlpSignal("logs", "/v1/logs", ExportLogsServiceRequest, ExportLogsServiceResponse,
                   lambda r: r.resource_logs, _check_records),
    )
}
SIGNAL_BY_PATH: dict[str, OtlpSignal] = {s.path: s for s in SIGNALS.values()}

