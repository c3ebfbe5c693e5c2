"""End to end on real processes: pyflare SDK → stock collector → Kafka → ingest loop → ClickHouse.

The consumer runs in this process (one chdb session per process) on a fresh consumer group that
starts at the current end of the topics; the collector and Kafka are the real programs. Exports carry
an ingest key, which the collector passes through and the consumer checks (tests/ingest/conftest.py).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

import pyflare
from tests.ingest.conftest import E2E_PROJECT, Consumer, Keys

pytestmark = [pytest.mark.kafka, pytest.mark.otelcol]


def _wait_rows(client: Any, sql: str, expected: int, timeout: float = 60) -> list[tuple[Any, ...]]:
    deadline = time.monotonic() + timeout
    rows: list[tuple[Any, ...]] = []
    while time.monotonic() < deadline:
        rows = client.query(sql).result_rows
        if len(rows) >= expected:
            return rows
        time.sleep(0.3)
    pytest.fail(f"expected {expected} rows, got {len(rows)} for: {sql}")


def test_sdk_spans_arrive_normalised(otelcol: Any, consumer: Consumer, keys: Keys, ch_migrated: Any) -> None:
    service = f"e2e-{uuid.uuid4().hex[:8]}"
    pyflare.init(
        service_name=service,
        endpoint=otelcol.http_endpoint,
        project=E2E_PROJECT,
        environment="staging",
        use_http=True,
        api_key=keys.ingest,
    )
    ids: dict[str, tuple[str, str]] = {}

    def remember(key: str) -> None:
        ctx = otel_trace.get_current_span().get_span_context()
        ids[key] = (format(ctx.trace_id, "032x"), format(ctx.span_id, "016x"))

    @pyflare.trace(name="answer", model_id="support-router", inference_type="classification")
    def answer(question: str) -> str:
        remember("answer")
        pyflare.log_features({"length": len(question), "lang": "en"})
        with pyflare.llm_span(model="gpt-4o-2024-08-06", provider="openai") as llm:
            remember("llm")
            llm.set_input("What is the refund policy?")
            llm.set_output("Refunds are possible within 30 days.")
            llm.set_tokens(input=12, output=34)
            llm.set_finish_reasons(["stop"])
        return "billing"

    @pyflare.trace(name="broken")
    def broken() -> None:
        remember("broken")
        raise ValueError("model server unavailable")

    assert answer("How do refunds work?") == "billing"
    with pytest.raises(ValueError):
        broken()
    pyflare.flush()
    pyflare.shutdown()

    rows = _wait_rows(
        ch_migrated,
        "SELECT name, trace_id, span_id, parent_span_id, kind, status_code, status_message, model_id, provider,"
        " inference_type, input_tokens, output_tokens, total_tokens, input_preview, output_preview, project,"
        " environment, features, finish_reasons, events.name, attributes"
        f" FROM spans FINAL WHERE service_name = '{service}' ORDER BY start_time",
        expected=3,
    )
    by_name = {r[0]: r for r in rows}
    assert set(by_name) == {"answer", "chat gpt-4o-2024-08-06", "broken"}
    answer_row, llm_row, broken_row = by_name["answer"], by_name["chat gpt-4o-2024-08-06"], by_name["broken"]

    assert (answer_row[1], answer_row[2]) == ids["answer"]
    assert (llm_row[1], llm_row[2]) == ids["llm"]
    assert llm_row[3] == ids["answer"][1] and llm_row[1] == ids["answer"][0]
    assert answer_row[3] == "" and broken_row[3] == ""
    assert llm_row[4] == "client" and answer_row[4] == "internal"
    assert (llm_row[7], llm_row[8], llm_row[9]) == ("gpt-4o-2024-08-06", "openai", "llm")
    assert (llm_row[10], llm_row[11], llm_row[12]) == (12, 34, 46)
    assert llm_row[13] == "What is the refund policy?"
    assert llm_row[14] == "Refunds are possible within 30 days."
    assert llm_row[18] == ["stop"]
    assert (answer_row[7], answer_row[9]) == ("support-router", "classification")
    assert answer_row[17] == {"length": "20", "lang": "en"}
    assert all(r[15] == E2E_PROJECT and r[16] == "staging" for r in rows)
    assert broken_row[5] == "error" and "model server unavailable" in broken_row[6]
    assert "exception" in broken_row[19]


def test_a_metric_and_a_log_arrive(otelcol: Any, consumer: Consumer, keys: Keys, ch_migrated: Any) -> None:
    service = f"e2e-{uuid.uuid4().hex[:8]}"
    resource = Resource.create({"service.name": service, "pyflare.project": E2E_PROJECT})
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{otelcol.http_endpoint}/v1/metrics", headers={"x-api-key": keys.ingest}),
        export_interval_millis=60_000,
    )
    meters = MeterProvider(resource=resource, metric_readers=[reader])
    counter = meters.get_meter("e2e").create_counter("inference.requests", unit="1")
    counter.add(7, {"model": "gpt-4o"})
    counter.add(5, {"model": "gpt-4o"})
    meters.force_flush()
    meters.shutdown()

    logs = LoggerProvider(resource=resource)
    logs.add_log_record_processor(
        SimpleLogRecordProcessor(
            OTLPLogExporter(
                endpoint=f"{otelcol.http_endpoint}/v1/logs", headers={"authorization": f"Bearer {keys.ingest}"}
            )
        )
    )
    logger = logs.get_logger("e2e")
    from opentelemetry._logs import LogRecord, SeverityNumber

    logger.emit(
        LogRecord(
            body="model reloaded",
            severity_number=SeverityNumber.WARN,
            severity_text="WARN",
            attributes={"model": "gpt-4o"},
        )
    )
    logs.shutdown()

    [metric] = _wait_rows(
        ch_migrated,
        "SELECT DISTINCT metric_name, metric_type, value, is_monotonic, temporality, attributes, project, unit"
        f" FROM metrics WHERE service_name = '{service}'",
        expected=1,
    )
    assert metric == (
        "inference.requests",
        "sum",
        12.0,
        True,
        "cumulative",
        {"model": "gpt-4o"},
        E2E_PROJECT,
        "1",
    )
    [log_row] = _wait_rows(
        ch_migrated,
        f"SELECT body, severity_number, severity_text, attributes, project FROM logs WHERE service_name = '{service}'",
        expected=1,
    )
    body, severity_number, severity_text, attributes, project = log_row
    assert (body, severity_number, severity_text, project) == (
        "model reloaded",
        int(SeverityNumber.WARN.value),
        "WARN",
        E2E_PROJECT,
    )
    # the collector's log sampler adds its own sampling.threshold attribute next to ours
    assert attributes["model"] == "gpt-4o"
