"""The three OTLP signals as the receivers see them: paths, message types, validation, counting.

A request is checked here before it is accepted, with the same rules the normalisers apply
(malformed ids are refused), so a client gets a 400 instead of its data ending as a dead letter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
from workers.telemetry.errors import DecodeError

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


def _check_spans(request: ExportTraceServiceRequest) -> int:
    count = 0
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            for span in ss.spans:
                if len(span.trace_id) != 16 or len(span.span_id) != 8 or len(span.parent_span_id) not in (0, 8):
                    raise DecodeError(
                        f"traces: span #{count} ({span.name!r}) has malformed ids: trace_id "
                        f"{len(span.trace_id)} bytes (want 16), span_id {len(span.span_id)} bytes (want 8), "
                        f"parent_span_id {len(span.parent_span_id)} bytes (want 0 or 8)"
                    )
                for link in span.links:
                    if len(link.trace_id) != 16 or len(link.span_id) != 8:
                        raise DecodeError(f"traces: span #{count} ({span.name!r}) has a link with malformed ids")
                count += 1
    return count


def _check_points(request: ExportMetricsServiceRequest) -> int:
    count = 0
    for rm in request.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                kind = metric.WhichOneof("data")
                if kind is not None:
                    count += len(getattr(metric, kind).data_points)
    return count


def _check_records(request: ExportLogsServiceRequest) -> int:
    count = 0
    for rl in request.resource_logs:
        for sl in rl.scope_logs:
            for record in sl.log_records:
                if len(record.trace_id) not in (0, 16) or len(record.span_id) not in (0, 8):
                    raise DecodeError(
                        f"logs: record #{count} has a malformed trace_id ({len(record.trace_id)} bytes, want 16) "
                        f"or span_id ({len(record.span_id)} bytes, want 8)"
                    )
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

