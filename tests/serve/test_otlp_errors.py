"""What the OTLP receivers answer to bad requests (OTLP/HTTP spec status codes, google.rpc.Status
bodies in the request's encoding) and that refused data is never stored.
"""

from __future__ import annotations

import gzip
import json

import grpc
import pytest
import requests
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.serve.conftest import CORS_ORIGIN, MAX_BODY_BYTES
from tests.serve.running import INIT_KEY, PROTOBUF, ServeProcess
from tests.serve.spans import genai_traces, payload


def status_of(reply: requests.Response) -> status_pb2.Status:
    status = status_pb2.Status()
    status.ParseFromString(reply.content)
    return status


def malformed_request() -> tuple[ExportTraceServiceRequest, str]:
    """A real SDK request whose second span's span_id is cut to 4 bytes."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(payload(genai_traces(1, service="malformed-bot")))
    spans = request.resource_spans[0].scope_spans[0].spans
    spans[1].span_id = spans[1].span_id[:4]
    return request, spans[0].trace_id.hex()


def test_garbage_protobuf_is_a_400_with_a_status_body(serve: ServeProcess) -> None:
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=b"\xff\xfe not protobuf", headers=PROTOBUF, timeout=30)
    assert reply.status_code == 400
    assert reply.headers["Content-Type"] == "application/x-protobuf"
    status = status_of(reply)
    assert status.code == code_pb2.INVALID_ARGUMENT
    assert "ExportTraceServiceRequest" in status.message


def test_garbage_json_is_a_400_with_a_json_status_body(serve: ServeProcess) -> None:
    reply = requests.post(f"{serve.otlp_http}/v1/logs", data=b"{not json",
                          headers={"Content-Type": "application/json", "X-API-Key": INIT_KEY}, timeout=30)
    assert reply.status_code == 400
    body = reply.json()
    assert body["code"] == code_pb2.INVALID_ARGUMENT
    assert "not valid JSON" in body["message"]


def test_malformed_ids_are_refused_and_nothing_of_the_request_is_stored(serve: ServeProcess) -> None:
    request, trace_id = malformed_request()
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=request.SerializeToString(), headers=PROTOBUF,
                          timeout=30)
    assert reply.status_code == 400
    assert "malformed ids" in status_of(reply).message
    assert serve.query(f"SELECT count() AS n FROM spans WHERE trace_id = '{trace_id}'") == [{"n": 0}]


def test_grpc_malformed_ids_are_invalid_argument_and_not_stored(serve: ServeProcess) -> None:
    request, trace_id = malformed_request()
    with grpc.insecure_channel(serve.otlp_grpc) as channel, pytest.raises(grpc.RpcError) as refused:
        trace_service_pb2_grpc.TraceServiceStub(channel).Export(request, timeout=30,
                                                                metadata=(("x-api-key", INIT_KEY),))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "malformed ids" in refused.value.details()
    assert serve.query(f"SELECT count() AS n FROM spans WHERE trace_id = '{trace_id}'") == [{"n": 0}]



def test_grpc_refusal_of_a_huge_span_name_still_names_the_problem(serve: ServeProcess) -> None:
    """A refusal that quotes a client's 6,000-character non-ASCII span name stays under gRPC's 8 KiB
    metadata limit; otherwise the client reports RESOURCE_EXHAUSTED about our answer, not the problem."""
    request, trace_id = malformed_request()
    request.resource_spans[0].scope_spans[0].spans[1].name = "\u00e9\u4e2d" * 3000
    with grpc.insecure_channel(serve.otlp_grpc) as channel, pytest.raises(grpc.RpcError) as refused:
        trace_service_pb2_grpc.TraceServiceStub(channel).Export(request, timeout=30,
                                                                metadata=(("x-api-key", INIT_KEY),))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
    assert "malformed ids" in refused.value.details()
    assert serve.query(f"SELECT count() AS n FROM spans WHERE trace_id = '{trace_id}'") == [{"n": 0}]

@pytest.mark.parametrize("content_type", ["text/plain", "application/protobuf", ""])
def test_other_content_types_are_415(serve: ServeProcess, content_type: str) -> None:
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=payload(genai_traces(1)),
                          headers={"Content-Type": content_type, "X-API-Key": INIT_KEY}, timeout=30)
    assert reply.status_code == 415
    assert "application/x-protobuf or application/json" in status_of(reply).message


def test_unknown_content_encoding_is_415(serve: ServeProcess) -> None:
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=payload(genai_traces(1)),
                          headers={**PROTOBUF, "Content-Encoding": "br"}, timeout=30)
    assert reply.status_code == 415


def test_wrong_method_and_path(serve: ServeProcess) -> None:
    get = requests.get(f"{serve.otlp_http}/v1/traces", timeout=30)
    assert get.status_code == 405
    assert get.headers["Allow"] == "POST, OPTIONS"
    unknown = requests.post(f"{serve.otlp_http}/v1/profiles", data=b"", headers=PROTOBUF, timeout=30)
    assert unknown.status_code == 404
    assert "/v1/traces" in status_of(unknown).message


def test_bodies_over_the_limit_are_413_before_and_after_gzip(serve: ServeProcess) -> None:
    too_big = b"\0" * (MAX_BODY_BYTES + 1)
    plain = requests.post(f"{serve.otlp_http}/v1/traces", data=too_big, headers=PROTOBUF, timeout=30)
    assert plain.status_code == 413
    bomb = gzip.compress(too_big)  # about 1 KB on the wire
    assert len(bomb) < MAX_BODY_BYTES
    inflated = requests.post(f"{serve.otlp_http}/v1/traces", data=bomb,
                             headers={**PROTOBUF, "Content-Encoding": "gzip"}, timeout=30)
    assert inflated.status_code == 413


def test_corrupt_gzip_is_400(serve: ServeProcess) -> None:
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=b"\x1f\x8b\x08\x00garbage",
                          headers={**PROTOBUF, "Content-Encoding": "gzip"}, timeout=30)
    assert reply.status_code == 400


def test_an_empty_request_is_accepted(serve: ServeProcess) -> None:
    reply = requests.post(f"{serve.otlp_http}/v1/metrics", data=b"", headers=PROTOBUF, timeout=30)
    assert reply.status_code == 200
    assert reply.content == b""  # an empty ExportMetricsServiceResponse


def test_cors_for_an_allowed_browser_origin(serve: ServeProcess) -> None:
    preflight = requests.options(f"{serve.otlp_http}/v1/traces", timeout=30, headers={
        "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    post = requests.post(f"{serve.otlp_http}/v1/traces", data=json.dumps({"resourceSpans": []}),
                         headers={"Content-Type": "application/json", "Origin": CORS_ORIGIN, "X-API-Key": INIT_KEY},
                         timeout=30)
    assert post.status_code == 200
    assert post.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN


def test_cors_refuses_other_origins(serve: ServeProcess) -> None:
    preflight = requests.options(f"{serve.otlp_http}/v1/traces", timeout=30,
                                 headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
