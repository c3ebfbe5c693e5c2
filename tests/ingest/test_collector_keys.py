"""Scale mode checks keys too: exports through the real collector and Kafka without a valid key, or naming
a project their key cannot write to, end in the dead-letter topic with the reason, untouched (bytes and
headers), and nothing of them is stored; a dead letter replayed with a good key is stored."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from kafka import KafkaProducer
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export import SpanExportResult

from tests.ingest.conftest import E2E_PROJECT, Consumer, Keys
from tests.serve.spans import genai_traces, trace_ids
from tests.support.kafka import read_all

pytestmark = [pytest.mark.kafka, pytest.mark.otelcol]


def export_http(otelcol: Any, service: str, headers: dict[str, str], project: str | None = None) -> set[str]:
    spans = genai_traces(1, project=project, service=service)
    exporter = HttpSpanExporter(endpoint=f"{otelcol.http_endpoint}/v1/traces", headers=headers, timeout=30)
    assert exporter.export(spans) == SpanExportResult.SUCCESS  # the collector accepts; the consumer decides
    return trace_ids(spans)


def dead_letters(consumer: Consumer, service: str, expected: int, timeout: float = 60) -> list[Any]:
    """The dead letters whose spans belong to `service`, once `expected` of them arrived."""
    deadline = time.monotonic() + timeout
    found: list[Any] = []
    while time.monotonic() < deadline:
        found = [r for r in read_all(consumer.settings.brokers, consumer.settings.dlq_topic, timeout=5)
                 if service.encode() in r.value]  # the service name is in the OTLP bytes
        if len(found) >= expected:
            return found
        time.sleep(0.3)
    pytest.fail(f"expected {expected} dead letters of {service}, got {len(found)}")


def headers_of(record: Any) -> dict[str, bytes]:
    return dict(record.headers)


def stored_spans(client: Any, service: str) -> int:
    return int(client.query(f"SELECT count() FROM spans WHERE service_name = '{service}'").result_rows[0][0])


def test_without_a_key_records_go_to_the_dlq_with_the_reason(otelcol: Any, consumer: Consumer, keys: Keys,
                                                            ch_migrated: Any) -> None:  # fmt: skip
    service = f"no-key-{uuid.uuid4().hex[:8]}"
    ids = export_http(otelcol, service, {})
    (letter,) = dead_letters(consumer, service, 1)
    headers = headers_of(letter)
    assert headers["pyflare.error"].decode().startswith("unauthenticated: the record carries no API key")
    assert headers["pyflare.source.topic"] == b"pyflare.traces"
    request = ExportTraceServiceRequest()
    request.ParseFromString(letter.value)  # the bytes the collector produced, untouched
    assert {s.trace_id.hex() for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans} == ids
    assert stored_spans(ch_migrated, service) == 0


def test_a_bad_key_or_a_key_that_cannot_write_goes_to_the_dlq(otelcol: Any, consumer: Consumer, keys: Keys,
                                                              ch_migrated: Any) -> None:  # fmt: skip
    service = f"bad-key-{uuid.uuid4().hex[:8]}"
    export_http(otelcol, service, {"x-api-key": "pf_made_up_key_0000000000000"})
    export_http(otelcol, service, {"x-api-key": keys.viewer})
    letters = dead_letters(consumer, service, 2)
    reasons = sorted(headers_of(r)["pyflare.error"].decode() for r in letters)
    assert reasons[0].startswith("forbidden: API key") and "'traces:write'" in reasons[0]
    assert reasons[1].startswith("unauthenticated: invalid API key")
    kept = sorted(headers_of(r)["x-api-key"] for r in letters)  # the client's header travels with it
    assert kept == sorted([b"pf_made_up_key_0000000000000", keys.viewer.encode()])
    assert stored_spans(ch_migrated, service) == 0


def test_naming_another_project_goes_to_the_dlq(otelcol: Any, consumer: Consumer, keys: Keys,
                                                ch_migrated: Any) -> None:  # fmt: skip
    service = f"foreign-{uuid.uuid4().hex[:8]}"
    export_http(otelcol, service, {"x-api-key": keys.ingest}, project="stranger")
    export_http(otelcol, service, {"x-api-key": keys.ingest}, project="../../etc/passwd")
    letters = dead_letters(consumer, service, 2)
    for letter in letters:
        reason = headers_of(letter)["pyflare.error"].decode()
        assert reason.startswith("forbidden: a resource names pyflare.project=")
        assert f"writes to project {E2E_PROJECT!r} only" in reason
    assert stored_spans(ch_migrated, service) == 0


def test_grpc_bearer_key_is_passed_through_and_stored_in_its_project(otelcol: Any, consumer: Consumer, keys: Keys,
                                                                      ch_migrated: Any) -> None:  # fmt: skip
    service = f"grpc-bearer-{uuid.uuid4().hex[:8]}"
    spans = genai_traces(2, project=None, service=service)
    exporter = GrpcSpanExporter(endpoint=otelcol.grpc_endpoint, insecure=True, timeout=30,
                                headers={"authorization": f"Bearer {keys.ingest}"})
    try:
        assert exporter.export(spans) == SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    deadline = time.monotonic() + 60
    rows: list[Any] = []
    while time.monotonic() < deadline and len(rows) < 4:
        rows = ch_migrated.query(f"SELECT DISTINCT trace_id, span_id, project FROM spans "
                                 f"WHERE service_name = '{service}'").result_rows
        time.sleep(0.3)
    assert {r[0] for r in rows} == trace_ids(spans) and len(rows) == 4
    assert {r[2] for r in rows} == {E2E_PROJECT}


def test_a_dead_letter_replayed_with_a_good_key_is_stored(otelcol: Any, consumer: Consumer, keys: Keys,
                                                          ch_migrated: Any) -> None:  # fmt: skip
    service = f"replay-{uuid.uuid4().hex[:8]}"
    ids = export_http(otelcol, service, {})
    (letter,) = dead_letters(consumer, service, 1)
    producer = KafkaProducer(bootstrap_servers=consumer.settings.brokers)
    try:
        replayed = [(k, v) for k, v in letter.headers if not k.startswith("pyflare.")]
        producer.send(headers_of(letter)["pyflare.source.topic"].decode(), value=letter.value,
                      headers=[*replayed, ("x-api-key", keys.ingest.encode())]).get(timeout=30)
    finally:
        producer.close()
    deadline = time.monotonic() + 60
    rows: list[Any] = []
    while time.monotonic() < deadline and not rows:
        rows = ch_migrated.query(f"SELECT DISTINCT trace_id, project FROM spans "
                                 f"WHERE service_name = '{service}'").result_rows
        time.sleep(0.3)
    assert {r[0] for r in rows} == ids and {r[1] for r in rows} == {E2E_PROJECT}
