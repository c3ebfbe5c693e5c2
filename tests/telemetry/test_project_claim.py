"""The project rule on parsed requests and on raw bytes decides the same way, and stamped bytes decode
(compiled decoder and Python path alike) into rows of the key's project only."""

from __future__ import annotations

import random

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.telemetry.random_spans import TEXTS, random_request
from workers.telemetry.batches import NormaliseOptions, TraceBatch
from workers.telemetry.project_claim import ForeignProject, claim_project
from workers.telemetry.project_wire import UnusualEncoding, claim_project_bytes


def parsed_outcome(payload: bytes, project: str) -> bytes | str:
    request = ExportTraceServiceRequest.FromString(payload)
    try:
        claim_project("traces", request, project)
    except ForeignProject as exc:
        return str(exc)
    return request.SerializeToString(deterministic=True)


def wire_outcome(payload: bytes, project: str) -> bytes | str:
    try:
        stamped = claim_project_bytes(payload, project)
    except ForeignProject as exc:
        return str(exc)
    return ExportTraceServiceRequest.FromString(stamped).SerializeToString(deterministic=True)


@pytest.mark.parametrize("seed", range(60))
def test_bytes_and_parsed_requests_get_the_same_verdict(seed: int) -> None:
    rnd = random.Random(seed)
    payload = random_request(rnd, rnd.randint(1, 30))
    for project in ("gpt-4o", "", "x" * 40, "shop", rnd.choice(TEXTS)):
        assert wire_outcome(payload, project) == parsed_outcome(payload, project)


def test_a_request_that_names_the_project_everywhere_is_kept_as_is() -> None:
    request = ExportTraceServiceRequest()
    for _ in range(2):
        rs = request.resource_spans.add()
        rs.resource.attributes.add(key="pyflare.project", value=AnyValue(string_value="shop"))
        rs.scope_spans.add().spans.add(trace_id=b"t" * 16, span_id=b"s" * 8, name="x")
    payload = request.SerializeToString()
    assert claim_project_bytes(payload, "shop") is payload


@pytest.mark.parametrize(
    "value", [AnyValue(int_value=5), AnyValue(), AnyValue(string_value="shop", int_value=1), AnyValue(bool_value=True)]
)
def test_a_project_attribute_that_is_not_exactly_the_string_is_refused(value: AnyValue) -> None:
    request = ExportTraceServiceRequest()
    request.resource_spans.add().resource.attributes.add(key="pyflare.project", value=value)
    with pytest.raises(ForeignProject):
        claim_project_bytes(request.SerializeToString(), "shop")


def test_a_holder_without_a_resource_gets_one() -> None:
    request = ExportLogsServiceRequest()
    request.resource_logs.add().scope_logs.add().log_records.add(body=AnyValue(string_value="hi"))
    stamped = ExportLogsServiceRequest.FromString(claim_project_bytes(request.SerializeToString(), "shop"))
    assert [(kv.key, kv.value.string_value) for kv in stamped.resource_logs[0].resource.attributes] == [
        ("pyflare.project", "shop")]
    assert stamped.resource_logs[0].scope_logs[0].log_records[0].body.string_value == "hi"


def test_metrics_requests_have_the_same_shape() -> None:
    request = ExportMetricsServiceRequest()
    rm = request.resource_metrics.add()
    rm.resource.attributes.add(key="service.name", value=AnyValue(string_value="api"))
    rm.scope_metrics.add().metrics.add(name="requests")
    stamped = ExportMetricsServiceRequest.FromString(claim_project_bytes(request.SerializeToString(), "shop"))
    assert {kv.key: kv.value.string_value for kv in stamped.resource_metrics[0].resource.attributes} == {
        "service.name": "api", "pyflare.project": "shop"}
    assert stamped.resource_metrics[0].scope_metrics[0].metrics[0].name == "requests"


@pytest.mark.parametrize("garbage", [b"\xff\xfe not protobuf", b"\x0a\x85", b"\x0b"])
def test_what_the_walk_does_not_understand_is_left_to_the_parser(garbage: bytes) -> None:
    with pytest.raises(UnusualEncoding):
        claim_project_bytes(garbage, "shop")


@pytest.mark.parametrize("native", ["1", "0"])
def test_stamped_bytes_decode_into_the_keys_project(native: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYFLARE_NATIVE", native)
    rnd = random.Random(7)
    batch = TraceBatch(NormaliseOptions(default_project="never-used"))
    for offset in range(20):
        request = ExportTraceServiceRequest.FromString(random_request(rnd, 10))
        for rs in request.resource_spans:
            kept = [kv for kv in rs.resource.attributes if kv.key != "pyflare.project"]
            del rs.resource.attributes[:]
            rs.resource.attributes.extend(kept)
        batch.add_otlp(claim_project_bytes(request.SerializeToString(), "shop"), partition=0, offset=offset)
    assert set(batch.to_arrow().column("project").to_pylist()) == {"shop"}
