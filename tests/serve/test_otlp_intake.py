"""Telemetry sent to `pyflare serve` with the stock OpenTelemetry exporters comes back through the
REST API with the normalised fields (OTLP/HTTP protobuf, gzip, OTLP/gRPC, raw OTLP/JSON, metrics, logs).
"""

from __future__ import annotations

import json
import time

import requests
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult

from tests.serve.running import INIT_KEY, KEYED, ServeProcess
from tests.serve.spans import genai_traces, hex_span_id, hex_trace_id, sql_list, trace_ids

COLUMNS = ("trace_id, span_id, parent_span_id, name, service_name, model_id, provider, operation, "
           "input_tokens, output_tokens, status_code, project")


def expected_rows(spans: list[ReadableSpan], project: str = "default") -> list[dict[str, object]]:
    rows = []
    for span in spans:
        attrs = span.attributes or {}
        llm = "gen_ai.request.model" in attrs
        rows.append({
            "trace_id": hex_trace_id(span),
            "span_id": hex_span_id(span),
            "parent_span_id": format(span.parent.span_id, "016x") if span.parent else "",
            "name": span.name,
            "service_name": span.resource.attributes["service.name"],
            "model_id": attrs.get("gen_ai.request.model", ""),
            "provider": "openai" if llm else "",
            "operation": "chat" if llm else "",
            "input_tokens": attrs.get("gen_ai.usage.input_tokens"),
            "output_tokens": attrs.get("gen_ai.usage.output_tokens"),
            "status_code": "unset",
            "project": project,
        })
    return sorted(rows, key=lambda r: (r["trace_id"], r["span_id"]))


def stored_rows(serve: ServeProcess, spans: list[ReadableSpan]) -> list[dict[str, object]]:
    rows = serve.query(
        f"SELECT {COLUMNS} FROM spans WHERE trace_id IN ({sql_list(sorted(trace_ids(spans)))}) "
        "ORDER BY trace_id, span_id LIMIT 1 BY trace_id, span_id"
    )
    return rows


def test_http_protobuf_spans_from_the_sdk_are_stored_normalised(serve: ServeProcess) -> None:
    spans = genai_traces(3, model="gpt-4o-mini", service="http-bot")
    exporter = HttpSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers=KEYED, timeout=30)
    assert exporter.export(spans) == SpanExportResult.SUCCESS  # the 200 comes once stored
    assert stored_rows(serve, spans) == expected_rows(spans)


def test_gzip_http_spans_are_stored(serve: ServeProcess) -> None:
    spans = genai_traces(2, model="gpt-4.1", service="gzip-bot")
    exporter = HttpSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", compression=Compression.Gzip, headers=KEYED,
                                timeout=30)
    assert exporter.export(spans) == SpanExportResult.SUCCESS
    assert stored_rows(serve, spans) == expected_rows(spans)


def test_grpc_spans_from_the_sdk_are_stored_normalised(serve: ServeProcess) -> None:
    spans = genai_traces(4, model="claude-sonnet-4", service="grpc-bot")
    exporter = GrpcSpanExporter(endpoint=serve.otlp_grpc, insecure=True, headers={"x-api-key": INIT_KEY}, timeout=30)
    try:
        assert exporter.export(spans) == SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    assert stored_rows(serve, spans) == expected_rows(spans)


def test_raw_otlp_json_is_stored_and_answered_in_json(serve: ServeProcess) -> None:
    trace_id, span_id = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"
    start_ns = time.time_ns() - 60 * 10**9  # recent: older rows fall under the retention TTL
    document = {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-bot"}}]},
        "scopeSpans": [{"scope": {"name": "hand-written"}, "spans": [{
            "traceId": trace_id, "spanId": span_id, "name": "chat mistral-large", "kind": 3,
            "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(start_ns + 250_000_000),
            "attributes": [
                {"key": "gen_ai.request.model", "value": {"stringValue": "mistral-large"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}},
            ],
            "status": {"code": 2, "message": "boom"},
        }]}],
    }]}
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=json.dumps(document),
                          headers={"Content-Type": "application/json", **KEYED}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"] == "application/json"
    assert json.loads(reply.content) == {}  # an empty ExportTraceServiceResponse
    rows = serve.query(
        "SELECT trace_id, span_id, name, kind, service_name, model_id, input_tokens, status_code, status_message, "
        f"duration_ns, project FROM spans WHERE trace_id = '{trace_id}' LIMIT 1 BY span_id"
    )
    assert rows == [{
        "trace_id": trace_id, "span_id": span_id, "name": "chat mistral-large", "kind": "client",
        "service_name": "json-bot", "model_id": "mistral-large", "input_tokens": 42, "status_code": "error",
        "status_message": "boom", "duration_ns": 250_000_000, "project": "default",
    }]


def test_metrics_and_logs_from_the_sdk_are_stored(serve: ServeProcess) -> None:
    resource = Resource.create({"service.name": "signals-bot", "pyflare.project": "default"})
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader], resource=resource)
    counter = meter_provider.get_meter("pyflare.tests.serve").create_counter("serve.test.tokens")
    counter.add(7, {"model": "gpt-4o"})
    counter.add(5, {"model": "gpt-4o"})
    metrics = reader.get_metrics_data()
    assert metrics is not None
    metric_exporter = OTLPMetricExporter(endpoint=f"{serve.otlp_http}/v1/metrics", headers=KEYED, timeout=30)
    assert metric_exporter.export(metrics).name == "SUCCESS"

    log_exporter = OTLPLogExporter(endpoint=f"{serve.otlp_http}/v1/logs", headers=KEYED, timeout=30)
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
    logger_provider.get_logger("pyflare.tests.serve").emit(body="the embedded log line", severity_text="WARN")
    logger_provider.shutdown()

    points = serve.query("SELECT metric_name, metric_type, value FROM metrics WHERE service_name = 'signals-bot'")
    assert points == [{"metric_name": "serve.test.tokens", "metric_type": "sum", "value": 12.0}]
    records = serve.query("SELECT body, severity_text FROM logs WHERE service_name = 'signals-bot'")
    assert records == [{"body": "the embedded log line", "severity_text": "WARN"}]
