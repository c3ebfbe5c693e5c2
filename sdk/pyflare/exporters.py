"""OTLP exporters for traces, metrics and logs, over HTTP/protobuf or gRPC.

HTTP posts to `<endpoint>/v1/traces|metrics|logs`; gRPC dials the endpoint itself (http:// = plaintext).
Imports are lazy so an HTTP-only app never loads grpc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyflare.settings import Settings, signal_url

if TYPE_CHECKING:
    from opentelemetry.sdk._logs.export import LogRecordExporter
    from opentelemetry.sdk.metrics.export import MetricExporter
    from opentelemetry.sdk.trace.export import SpanExporter


def _headers(settings: Settings) -> dict[str, str] | None:
    # None (not {}) lets the exporter fall back to OTEL_EXPORTER_OTLP_*HEADERS when PyFlare has none.
    return dict(settings.headers) or None


def otlp_span_exporter(settings: Settings) -> SpanExporter:
    if settings.use_http:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=signal_url(settings.endpoint, "traces"), headers=_headers(settings))
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter

    return GrpcSpanExporter(endpoint=settings.endpoint, headers=_headers(settings))


def otlp_metric_exporter(settings: Settings) -> MetricExporter:
    if settings.use_http:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        return OTLPMetricExporter(
            endpoint=signal_url(settings.endpoint, "metrics"), headers=_headers(settings)
        )
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
        OTLPMetricExporter as GrpcMetricExporter,
    )

    return GrpcMetricExporter(endpoint=settings.endpoint, headers=_headers(settings))


def otlp_log_exporter(settings: Settings) -> LogRecordExporter:
    if settings.use_http:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

        return OTLPLogExporter(endpoint=signal_url(settings.endpoint, "logs"), headers=_headers(settings))
    from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLogExporter

    return GrpcLogExporter(endpoint=settings.endpoint, headers=_headers(settings))
