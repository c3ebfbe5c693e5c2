"""Spans recorded with the real OTel SDK and encoded by the real OTLP encoder land in the right
columns: identity, parent, kind, status, times, events, links, resource, scope, attributes."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from opentelemetry import trace
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue, KeyValueList
from opentelemetry.sdk.trace import Tracer
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    TraceState,
)

from tests.telemetry.sdk_requests import span_request, trace_request
from workers.telemetry.columns import LOG_SCHEMA, METRIC_SCHEMA, SPAN_SCHEMA
from workers.telemetry.logs import LogBatch
from workers.telemetry.metrics import MetricBatch
from workers.telemetry.options import NormaliseOptions
from workers.telemetry.traces import TraceBatch

T0 = 1_760_000_000_123_456_789  # ns since the epoch
LINKED = SpanContext(
    trace_id=0x0AF7651916CD43DD8448EB211C80319C,
    span_id=0x00F067AA0BA902B7,
    is_remote=True,
    trace_flags=TraceFlags(1),
    trace_state=TraceState([("vendor", "abc")]),
)


def _record(tracer: Tracer) -> None:
    with tracer.start_as_current_span(
        "checkout", kind=SpanKind.SERVER, start_time=T0, end_on_exit=False, links=[Link(LINKED, {"link.kind": "retry"})]
    ) as root:
        child = tracer.start_span("charge card", kind=SpanKind.CLIENT, start_time=T0 + 1_000)
        child.add_event("retry", {"attempt": 2, "ok": False}, timestamp=T0 + 1_500)
        child.set_status(Status(StatusCode.ERROR, "card declined"))
        child.end(end_time=T0 + 9_000)
        root.set_status(Status(StatusCode.OK))
        root.end(end_time=T0 + 20_000)
    # continues a trace from another service: remote parent, its trace state comes along
    remote = trace.set_span_in_context(NonRecordingSpan(LINKED))
    tracer.start_span("continued", context=remote, start_time=T0).end(end_time=T0)


def _ns(ts: dt.datetime | pa.TimestampScalar) -> int:
    return pa.scalar(ts, pa.timestamp("ns", tz="UTC")).value


def test_sdk_spans_round_trip_into_columns() -> None:
    request = trace_request(_record, resource={"service.name": "shop-api", "pyflare.project": "shop",
                                               "deployment.environment.name": "staging"})
    sdk_spans = {s.name: s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans}
    sdk_spans["checkout"].links[0].trace_state = "vendor=abc"  # the SDK encoder leaves link states out
    batch = TraceBatch(NormaliseOptions())
    assert batch.add_request(request, partition=4, offset=1234) == 3
    table = batch.to_arrow()
    assert table.schema == SPAN_SCHEMA
    rows = {r["name"]: r for r in table.to_pylist()}
    root, child = rows["checkout"], rows["charge card"]

    assert root["trace_id"] == sdk_spans["checkout"].trace_id.hex() == child["trace_id"]
    assert len(root["trace_id"]) == 32 and root["trace_id"] == root["trace_id"].lower()
    assert root["span_id"] == sdk_spans["checkout"].span_id.hex()
    assert root["parent_span_id"] == ""
    assert child["parent_span_id"] == root["span_id"]
    assert (root["kind"], child["kind"]) == ("server", "client")
    assert (root["status_code"], root["status_message"]) == ("ok", "")
    assert (child["status_code"], child["status_message"]) == ("error", "card declined")
    assert _ns(child["start_time"]) == T0 + 1_000 and _ns(child["end_time"]) == T0 + 9_000
    assert child["duration_ns"] == 8_000 and root["duration_ns"] == 20_000

    (event,) = child["events"]
    assert event["name"] == "retry" and _ns(event["time"]) == T0 + 1_500
    assert dict(event["attributes"]) == {"attempt": "2", "ok": "false"}
    (link,) = root["links"]
    assert link["trace_id"] == "0af7651916cd43dd8448eb211c80319c" and link["span_id"] == "00f067aa0ba902b7"
    assert link["trace_state"] == "vendor=abc"
    assert dict(link["attributes"]) == {"link.kind": "retry"}
    assert child["links"] == [] and root["events"] == []
    continued = rows["continued"]
    assert continued["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert continued["parent_span_id"] == "00f067aa0ba902b7" and continued["trace_state"] == "vendor=abc"
    assert continued["duration_ns"] == 0 and continued["kind"] == "internal" and continued["status_code"] == "unset"

    resource = dict(root["resource"])
    assert resource["service.name"] == "shop-api" and resource["telemetry.sdk.language"] == "python"
    assert (root["project"], root["service_name"], root["environment"]) == ("shop", "shop-api", "staging")
    assert (root["scope_name"], root["scope_version"]) == ("pyflare.tests", "1.2.3")
    assert (child["source_partition"], child["source_offset"]) == (4, 1234)
    # a plain service span carries no model data
    assert (child["model_id"], child["inference_type"], child["input_hash"]) == ("", "", "")
    assert child["input_tokens"] is None and child["cost_usd"] is None and child["finish_reasons"] == []


def test_attribute_values_become_text() -> None:
    request = span_request({
        "http.route": "/cart", "retry.enabled": True, "retry.count": 3, "sample.ratio": 0.25,
        "big.double": 1e300, "tags": ["a", 'q"uote'], "codes": [200, 404], "weights": [0.5, 1.0],
        "flags": [True, False], "empty.text": "",
    })
    span = request.resource_spans[0].scope_spans[0].spans[0]
    span.attributes.append(KeyValue(key="kv", value=AnyValue(kvlist_value=KeyValueList(
        values=[KeyValue(key="a", value=AnyValue(int_value=1)), KeyValue(key="b", value=AnyValue(string_value="x"))]
    ))))
    span.attributes.append(KeyValue(key="raw", value=AnyValue(bytes_value=b"\x00\xff")))
    batch = TraceBatch()
    batch.add_request(request)
    attributes = dict(batch.to_arrow().column("attributes")[0].as_py())
    assert attributes == {
        "http.route": "/cart", "retry.enabled": "true", "retry.count": "3", "sample.ratio": "0.25",
        "big.double": "1e+300", "tags": '["a","q\\"uote"]', "codes": "[200,404]", "weights": "[0.5,1.0]",
        "flags": "[true,false]", "empty.text": "", "kv": '{"a":1,"b":"x"}', "raw": "AP8=",
    }


def test_batches_accumulate_requests_and_clear() -> None:
    batch = TraceBatch(NormaliseOptions(default_project="fallback"))
    first = span_request({"a": "1"}, resource={"service.name": "one"})
    second = span_request({"b": "2"}, resource={"service.name": "two", "pyflare.project": "p2"})
    batch.add_request(first, partition=0, offset=10)
    batch.add_request(second, partition=1, offset=11)
    assert len(batch) == 2
    rows = batch.to_arrow().to_pylist()
    assert [(r["project"], r["service_name"], r["source_offset"]) for r in rows] == [
        ("fallback", "one", 10), ("p2", "two", 11)
    ]
    assert dict(rows[1]["resource"])["service.name"] == "two" and dict(rows[0]["attributes"]) == {"a": "1"}
    batch.clear()
    assert len(batch) == 0
    empty = batch.to_arrow()
    assert empty.num_rows == 0 and empty.schema == SPAN_SCHEMA


def test_empty_batches_have_the_contract_schemas() -> None:
    assert TraceBatch().to_arrow().schema == SPAN_SCHEMA
    assert MetricBatch().to_arrow().schema == METRIC_SCHEMA
    assert LogBatch().to_arrow().schema == LOG_SCHEMA


def test_missing_service_name_and_project_use_defaults() -> None:
    request = span_request({"a": "b"})
    request.resource_spans[0].resource.Clear()
    batch = TraceBatch(NormaliseOptions(default_project="acme"))
    batch.add_request(request)
    row = batch.to_arrow().to_pylist()[0]
    assert (row["project"], row["service_name"], row["resource"]) == ("acme", "unknown_service", [])


def test_each_resource_of_a_request_keeps_its_own_project_and_map() -> None:
    request = span_request({"n": 1}, resource={"service.name": "a", "pyflare.project": "pa"})
    for i, project in enumerate(("pb", "pc")):
        other = span_request({"n": i + 2}, resource={"service.name": f"s{i}", "pyflare.project": project})
        request.resource_spans.extend(other.resource_spans)
    batch = TraceBatch()
    batch.add_request(span_request({"n": 0}, resource={"service.name": "first"}))  # resources already in the batch
    assert batch.add_request(request) == 3
    rows = batch.to_arrow().to_pylist()
    assert [(r["project"], r["service_name"], dict(r["attributes"])["n"]) for r in rows] == [
        ("default", "first", "0"), ("pa", "a", "1"), ("pb", "s0", "2"), ("pc", "s1", "3")]
    assert [dict(r["resource"])["service.name"] for r in rows] == ["first", "a", "s0", "s1"]
    assert [dict(r["resource"]).get("pyflare.project") for r in rows] == [None, "pa", "pb", "pc"]
