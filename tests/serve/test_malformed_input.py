"""Findings of the attack on a default `pyflare serve`, each as the client sees it: values storage
cannot keep are a 400 (not a crash, a stuck batch or a silent drop) and a good request right after
is stored; undecodable gRPC is INVALID_ARGUMENT; escaping static paths are 404; deeply nested API
JSON is a 400; chunked bodies are read; /ready shows details only to authenticated callers.
"""

from __future__ import annotations

import socket
import time

import grpc
import pytest
import requests
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.metrics.v1.metrics_pb2 import ExponentialHistogramDataPoint

from tests.serve.running import INIT_KEY, ServeProcess
from tests.serve.spans import genai_traces, payload, sql_list, trace_ids

PROTOBUF = {"Content-Type": "application/x-protobuf", "X-API-Key": INIT_KEY}
NOW = time.time_ns()


def _good_traces_stored(serve: ServeProcess) -> None:
    spans = genai_traces(2, service="after-the-bad-one")
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=payload(spans), headers=PROTOBUF, timeout=30)
    assert reply.status_code == 200, reply.content
    rows = serve.query(f"SELECT count() AS n FROM spans WHERE trace_id IN ({sql_list(sorted(trace_ids(spans)))})")
    assert rows == [{"n": len(spans)}]
    assert serve.proc is not None and serve.proc.poll() is None


def _exponential(scale: int) -> bytes:
    request = ExportMetricsServiceRequest()
    rm = request.resource_metrics.add()
    rm.resource.attributes.add(key="pyflare.project").value.string_value = "default"
    metric = rm.scope_metrics.add().metrics.add(name="latency")
    point = ExponentialHistogramDataPoint(time_unix_nano=NOW, scale=scale, count=1)
    point.positive.bucket_counts.append(1)
    metric.exponential_histogram.data_points.append(point)
    return request.SerializeToString()


@pytest.mark.parametrize("scale", [-1100, -(2**31)])
def test_an_out_of_range_histogram_scale_is_a_400_and_the_server_stays_up(serve: ServeProcess, scale: int) -> None:
    # before: 503, then OverflowError stopped the ingest loop and the process exited
    reply = requests.post(f"{serve.otlp_http}/v1/metrics", data=_exponential(scale), headers=PROTOBUF, timeout=30)
    assert reply.status_code == 400
    assert b"allows -10 to 20" in reply.content
    _good_traces_stored(serve)


def _one_span(**fields: int | bytes) -> bytes:
    request = ExportTraceServiceRequest()
    request.ParseFromString(payload(genai_traces(1, service="bad-times")))
    span = request.resource_spans[0].scope_spans[0].spans[0]
    for name, value in fields.items():
        setattr(span, name, value)
    return request.SerializeToString()


@pytest.mark.parametrize(("fields", "says"), [
    ({"start_time_unix_nano": 2**63}, b"start_time_unix_nano 9223372036854775808"),
    ({"end_time_unix_nano": 2**64 - 1}, b"end_time_unix_nano 18446744073709551615"),
    ({"start_time_unix_nano": 0, "end_time_unix_nano": 1}, b"older than the retention of 30 days"),
    ({"start_time_unix_nano": 9_214_646_400 * 10**9}, b"after the last storable time"),  # 2262
    ({"trace_id": bytes(16)}, b"all-zero trace_id, which OTLP calls invalid"),
    ({"span_id": bytes(8)}, b"all-zero span_id, which OTLP calls invalid"),
])
def test_spans_storage_cannot_keep_are_a_400(serve: ServeProcess, fields: dict[str, int | bytes], says: bytes) -> None:
    # before: 200 then dropped by the TTL, or an Arrow overflow that blocked every later export
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=_one_span(**fields), headers=PROTOBUF, timeout=30)
    assert reply.status_code == 400
    assert says in reply.content
    _good_traces_stored(serve)


def test_undecodable_grpc_is_invalid_argument(serve: ServeProcess) -> None:
    with grpc.insecure_channel(serve.otlp_grpc) as channel:
        export = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                                     request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with pytest.raises(grpc.RpcError) as caught:
            export(b"\xff\xff\xff", metadata=(("x-api-key", INIT_KEY),), timeout=30)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # before: INTERNAL
    assert "not a valid OTLP protobuf ExportTraceServiceRequest" in (caught.value.details() or "")


def test_grpc_refuses_out_of_range_values_too(serve: ServeProcess) -> None:
    with grpc.insecure_channel(serve.otlp_grpc) as channel:
        export = channel.unary_unary("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
                                     request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with pytest.raises(grpc.RpcError) as caught:
            export(_exponential(-1100), metadata=(("x-api-key", INIT_KEY),), timeout=30)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    _good_traces_stored(serve)


@pytest.mark.parametrize("path", ["/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fsettings.py"])
def test_static_paths_that_escape_are_404(serve: ServeProcess, path: str) -> None:
    reply = requests.get(f"{serve.web}{path}", timeout=30)
    assert reply.status_code == 404  # before: 500 (SuspiciousFileOperation)


def test_deeply_nested_api_json_is_a_400(serve: ServeProcess) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    reply = requests.post(f"{serve.web}/api/v1/feedback", data=body, timeout=30,
                          headers={"Content-Type": "application/json", "X-API-Key": INIT_KEY})
    assert reply.status_code == 400  # before: 500 (RecursionError)
    assert "nested too deeply" in reply.text


def test_deeply_nested_otlp_json_is_a_400(serve: ServeProcess) -> None:
    body = b'{"resourceSpans":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=body, timeout=30,
                          headers={"Content-Type": "application/json", "X-API-Key": INIT_KEY})
    assert reply.status_code == 400
    assert "not valid JSON" in reply.json()["message"]


def test_a_chunked_body_without_content_length_is_read(serve: ServeProcess) -> None:
    spans = genai_traces(3, service="chunked")
    body = payload(spans)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:7], body[7:]))
    head = (f"POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
            f"X-API-Key: {INIT_KEY}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", serve.otlp_http_port), timeout=30) as sock:
        sock.sendall(head + chunks + b"0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer
    rows = serve.query(f"SELECT count() AS n FROM spans WHERE trace_id IN ({sql_list(sorted(trace_ids(spans)))})")
    assert rows == [{"n": len(spans)}]


@pytest.mark.parametrize("version", ["HTTP/1.1", "HTTP/1.0"])
def test_a_body_of_undeclared_length_is_a_411_not_an_empty_200(serve: ServeProcess, version: str) -> None:
    # before: HTTP reads a body without Content-Length or chunked framing as empty, and the receiver
    # answered 200 for a request whose spans it never read
    spans = genai_traces(1, service="undeclared-length")
    head = (f"POST /v1/traces {version}\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
            f"X-API-Key: {INIT_KEY}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", serve.otlp_http_port), timeout=30) as sock:
        sock.sendall(head + payload(spans))
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 411"), answer
    assert b"Content-Length or Transfer-Encoding: chunked" in answer


def test_ready_shows_its_details_only_to_authenticated_callers(serve: ServeProcess) -> None:
    anonymous = requests.get(f"{serve.web}/api/v1/ready", timeout=30)
    assert anonymous.status_code == 200 and anonymous.json() == {"status": "ready"}  # before: data path shown
    assert str(serve.data_dir) not in anonymous.text
    keyed = requests.get(f"{serve.web}/api/v1/ready", headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert keyed.status_code == 200
    assert str(serve.data_dir / "clickhouse") in keyed.json()["checks"]["clickhouse"]["detail"]
