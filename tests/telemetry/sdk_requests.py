"""OTLP export requests produced by the real OpenTelemetry SDK and its OTLP encoders.

Tests describe telemetry the way an application would (tracer, meter, logger calls) and get the
exact protobuf request an OTLP exporter would send.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.metrics.view import Aggregation
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Tracer, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

DEFAULT_RESOURCE = {"service.name": "chat-api", "pyflare.project": "shop"}


def trace_request(
    record: Callable[[Tracer], None],
    resource: Mapping[str, Any] | None = None,
    scope: tuple[str, str] = ("pyflare.tests", "1.2.3"),
) -> ExportTraceServiceRequest:
    """Run `record(tracer)` against a real TracerProvider and encode what it finished."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create(dict(resource or DEFAULT_RESOURCE)))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    record(provider.get_tracer(*scope))
    provider.shutdown()
    return encode_spans(exporter.get_finished_spans())


def span_request(attributes: Mapping[str, Any], events: list[tuple[str, dict[str, Any]]] | None = None,
                 name: str = "chat gpt-4o-mini", resource: Mapping[str, Any] | None = None
                 ) -> ExportTraceServiceRequest:
    """One span with these attributes (and events), as an instrumentation would record it."""

    def record(tracer: Tracer) -> None:
        with tracer.start_as_current_span(name, attributes=dict(attributes)) as span:
            for event_name, event_attributes in events or []:
                span.add_event(event_name, event_attributes)

    return trace_request(record, resource)


def metric_request(
    record: Callable[[Any], None],
    resource: Mapping[str, Any] | None = None,
    aggregation: dict[type, Aggregation] | None = None,
) -> ExportMetricsServiceRequest:
    reader = InMemoryMetricReader(preferred_aggregation=aggregation)
    provider = MeterProvider(metric_readers=[reader], resource=Resource.create(dict(resource or DEFAULT_RESOURCE)))
    record(provider.get_meter("pyflare.tests", "1.2.3"))
    data = reader.get_metrics_data()
    provider.shutdown()
    assert data is not None
    return encode_metrics(data)


def log_request(record: Callable[[Any], None], resource: Mapping[str, Any] | None = None) -> ExportLogsServiceRequest:
    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=Resource.create(dict(resource or DEFAULT_RESOURCE)))
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    record(provider.get_logger("pyflare.tests", "1.2.3"))
    provider.shutdown()
    return encode_logs(exporter.get_finished_logs())


_ID_KEYS = ("traceId", "spanId", "parentSpanId")


def _hex_ids(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _ID_KEYS and isinstance(value, str):
                node[key] = base64.b64decode(value).hex()
            else:
                _hex_ids(value)
    elif isinstance(node, list):
        for item in node:
            _hex_ids(item)


def otlp_json(request: Any) -> bytes:
    """OTLP/JSON of a request: protobuf's JSON mapping with enums as numbers and ids in hex."""
    doc = json_format.MessageToDict(request, use_integers_for_enums=True)
    _hex_ids(doc)
    return json.dumps(doc).encode()
