"""Payload decoding: OTLP/JSON reads like protobuf, bad payloads raise DecodeError and leave the
batch untouched, options come from the environment."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from tests.telemetry.sdk_requests import log_request, metric_request, otlp_json, span_request, trace_request
from tests.telemetry.test_conventions import GENAI_CURRENT, GENAI_DEPRECATED, GENAI_DEPRECATED_EVENTS
from workers.telemetry.batches import BATCHES, batch_for
from workers.telemetry.errors import DecodeError
from workers.telemetry.logs import LogBatch
from workers.telemetry.metrics import MetricBatch
from workers.telemetry.options import NormaliseOptions
from workers.telemetry.traces import TraceBatch


def _spans(tracer: Any) -> None:
    with tracer.start_as_current_span("agent", kind=SpanKind.SERVER, attributes=GENAI_CURRENT) as parent:
        parent.add_event("step", {"n": 1, "ok": True, "ratio": 0.5})
        with tracer.start_as_current_span("tool", attributes=GENAI_DEPRECATED,
                                          links=[Link(parent.get_span_context(), {"why": "follows"})]) as child:
            for name, attrs in GENAI_DEPRECATED_EVENTS:
                child.add_event(name, attrs)
            child.set_status(Status(StatusCode.ERROR, "tool failed"))


def _metrics(meter: Any) -> None:
    meter.create_counter("requests").add(3, {"route": "/a"})
    meter.create_histogram("latency").record(12.5, {"gen_ai.request.model": "m"})
    meter.create_gauge("temp").set(-4)


def _logs(logger: Any) -> None:
    with TracerProvider().get_tracer("t").start_as_current_span("request"):  # records get trace/span ids
        logger.emit(body={"content": "hi", "n": [1, 2]}, event_name="gen_ai.user.message", severity_number=9)
    logger.emit(body="plain", attributes={"k": 1.25})


@pytest.mark.parametrize(
    ("batch_type", "request_factory"),
    [(TraceBatch, lambda: trace_request(_spans)), (MetricBatch, lambda: metric_request(_metrics)),
     (LogBatch, lambda: log_request(_logs))],
    ids=["traces", "metrics", "logs"],
)
def test_otlp_json_equals_protobuf(batch_type: type, request_factory: Any) -> None:
    request = request_factory()
    from_protobuf = batch_type(NormaliseOptions())
    from_json = batch_type(NormaliseOptions())
    n = from_protobuf.add_otlp(request.SerializeToString(), partition=0, offset=1)
    assert n > 0
    assert from_json.add_otlp(otlp_json(request), encoding="json", partition=0, offset=1) == n
    table = from_protobuf.to_arrow()
    assert from_json.to_arrow().equals(table)
    if "trace_id" in table.column_names:  # the ids really went through the hex conversion
        assert any(len(t) == 32 for t in table.column("trace_id").to_pylist())


def test_otlp_json_ids_are_hex_and_field_names_may_be_original() -> None:
    request = span_request({"a": "b"})
    span = request.resource_spans[0].scope_spans[0].spans[0]
    doc = {"resource_spans": [{"scope_spans": [{"spans": [{
        "trace_id": span.trace_id.hex().upper(), "span_id": span.span_id.hex(), "name": "x", "kind": 3,
        "start_time_unix_nano": "1700000000000000000", "end_time_unix_nano": 1700000000000000500,
        "status": {"code": 2}, "attributes": [{"key": "n", "value": {"intValue": "7"}}]}]}]}]}
    batch = TraceBatch()
    batch.add_otlp(json.dumps(doc).encode(), encoding="json")
    row = batch.to_arrow().to_pylist()[0]
    assert (row["trace_id"], row["span_id"]) == (span.trace_id.hex(), span.span_id.hex())
    assert (row["kind"], row["status_code"], row["duration_ns"]) == ("client", "error", 500)
    assert dict(row["attributes"]) == {"n": "7"}


@pytest.mark.parametrize(
    ("payload", "encoding", "message"),
    [
        (b"\xff\xff\xff\xff\x0f\x00garbage", "protobuf", "not a valid OTLP protobuf"),
        (b"{not json", "json", "not valid JSON"),
        (b"[1, 2]", "json", "must be an object"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz", "spanId": "00f067aa0ba902b7"}]}]}]}',
         "json", "traceId 'xyz' is not 32 hex characters"),
        (b'{"resourceSpans": "nope"}', "json", "does not match"),
        (b"", "yaml", "unknown encoding 'yaml'"),
    ],
)
def test_bad_payloads_raise_decode_error_and_leave_the_batch(payload: bytes, encoding: str, message: str) -> None:
    batch = TraceBatch()
    batch.add_request(span_request(GENAI_CURRENT))
    before = batch.to_arrow()
    with pytest.raises(DecodeError, match=message):
        batch.add_otlp(payload, encoding=encoding)
    assert len(batch) == 1
    assert batch.to_arrow().equals(before)


def test_a_bad_span_late_in_a_request_adds_nothing() -> None:
    request = trace_request(_spans)
    spans = request.resource_spans[0].scope_spans[0].spans
    spans[-1].trace_id = b"\x01\x02\x03"  # truncated id on the last span
    batch = TraceBatch()
    batch.add_request(span_request({"pyflare.embedding": [1.0, 2.0]}))
    with pytest.raises(DecodeError, match="trace_id 3 bytes"):
        batch.add_otlp(request.SerializeToString())
    assert len(batch) == 1 and len(batch.embeddings) == 1
    assert batch.to_arrow().column("attributes").to_pylist() == [[]]


def test_log_with_malformed_span_id_is_rejected() -> None:
    request = log_request(_logs)
    request.resource_logs[0].scope_logs[0].log_records[0].span_id = b"\x01"
    with pytest.raises(DecodeError, match="span_id"):
        LogBatch().add_request(request)


def test_empty_request_adds_nothing() -> None:
    batch = TraceBatch()
    assert batch.add_otlp(b"") == 0
    assert batch.add_otlp(b"{}", encoding="json") == 0
    assert len(batch) == 0


def test_registry_names_the_three_signals() -> None:
    assert {"traces": TraceBatch, "metrics": MetricBatch, "logs": LogBatch} == BATCHES
    assert batch_for("logs") is LogBatch
    with pytest.raises(ValueError, match="valid: traces, metrics, logs"):
        batch_for("profiles")


def test_options_from_environment() -> None:
    # the storage's retention default (30 days) applies unless PYFLARE_RETENTION_DAYS says otherwise
    assert NormaliseOptions.from_env({}) == NormaliseOptions(preview_chars=1000, default_project="default",
                                                             retention_days=30)
    # PYFLARE_DEFAULT_PROJECT is gone: the API key decides the project at intake
    options = NormaliseOptions.from_env({"PYFLARE_PREVIEW_CHARS": "80", "PYFLARE_DEFAULT_PROJECT": "acme",
                                         "PYFLARE_RETENTION_DAYS": "7"})
    assert options == NormaliseOptions(preview_chars=80, default_project="default", retention_days=7)
    with pytest.raises(ValueError, match="PYFLARE_RETENTION_DAYS"):
        NormaliseOptions.from_env({"PYFLARE_RETENTION_DAYS": "a month"})
    with pytest.raises(ValueError, match="PYFLARE_PREVIEW_CHARS"):
        NormaliseOptions.from_env({"PYFLARE_PREVIEW_CHARS": "lots"})
    with pytest.raises(ValueError, match="preview_chars"):
        NormaliseOptions(preview_chars=-1)
