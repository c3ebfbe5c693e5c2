"""PYFLARE_OTLP_REQUIRE_KEY=true: intake needs a key with traces:write, and the key's project is forced
onto the telemetry whatever `pyflare.project` the sender put in its resource.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
import requests
from google.rpc import code_pb2, status_pb2
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export import SpanExportResult

from tests.serve.running import INIT_KEY, ServeProcess, start_serve
from tests.serve.spans import genai_traces, payload, sql_list, trace_ids

PROTOBUF = {"Content-Type": "application/x-protobuf"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("keyed"),
                          {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_OTLP_REQUIRE_KEY": "true"})
    try:
        yield process
    finally:
        process.kill()


def status_of(reply: requests.Response) -> status_pb2.Status:
    status = status_pb2.Status()
    status.ParseFromString(reply.content)
    return status


def test_without_or_with_a_wrong_key_http_is_401(keyed: ServeProcess) -> None:
    body = payload(genai_traces(1))
    missing = requests.post(f"{keyed.otlp_http}/v1/traces", data=body, headers=PROTOBUF, timeout=30)
    assert missing.status_code == 401
    assert status_of(missing).code == code_pb2.UNAUTHENTICATED
    wrong = requests.post(f"{keyed.otlp_http}/v1/traces", data=body,
                          headers={**PROTOBUF, "X-API-Key": "pf_not_a_key_of_this_install"}, timeout=30)
    assert wrong.status_code == 401
    assert "invalid API key" in status_of(wrong).message


def test_a_key_without_traces_write_is_403(keyed: ServeProcess) -> None:
    created = requests.post(f"{keyed.web}/api/v1/api-keys", json={"name": "dashboards", "role": "viewer"},
                            headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert created.status_code == 201, created.text
    reply = requests.post(f"{keyed.otlp_http}/v1/traces", data=payload(genai_traces(1)),
                          headers={**PROTOBUF, "X-API-Key": created.json()["key"]}, timeout=30)
    assert reply.status_code == 403
    assert "traces:write" in status_of(reply).message


def test_the_keys_project_is_forced_onto_http_spans(keyed: ServeProcess) -> None:
    spans = genai_traces(2, project="someone-else", service="forced-http")
    reply = requests.post(f"{keyed.otlp_http}/v1/traces", data=payload(spans),
                          headers={**PROTOBUF, "X-API-Key": INIT_KEY}, timeout=30)
    assert reply.status_code == 200
    rows = keyed.query(f"SELECT DISTINCT trace_id, project, resource['pyflare.project'] AS claimed FROM spans "
                       f"WHERE trace_id IN ({sql_list(sorted(trace_ids(spans)))})")
    assert {r["trace_id"] for r in rows} == trace_ids(spans)
    assert {(r["project"], r["claimed"]) for r in rows} == {("default", "default")}


def test_grpc_with_a_bearer_key_is_stored_in_the_keys_project(keyed: ServeProcess) -> None:
    spans = genai_traces(2, project="someone-else", service="forced-grpc")
    exporter = GrpcSpanExporter(endpoint=keyed.otlp_grpc, insecure=True, timeout=30,
                                headers={"authorization": f"Bearer {INIT_KEY}"})
    try:
        assert exporter.export(spans) == SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    rows = keyed.query(f"SELECT DISTINCT trace_id, project FROM spans "
                       f"WHERE trace_id IN ({sql_list(sorted(trace_ids(spans)))})")
    assert {r["trace_id"] for r in rows} == trace_ids(spans)
    assert {r["project"] for r in rows} == {"default"}


def test_grpc_without_a_key_is_unauthenticated(keyed: ServeProcess) -> None:
    request = ExportTraceServiceRequest()
    request.ParseFromString(payload(genai_traces(1)))
    with grpc.insecure_channel(keyed.otlp_grpc) as channel, pytest.raises(grpc.RpcError) as refused:
        trace_service_pb2_grpc.TraceServiceStub(channel).Export(request, timeout=30)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
