"""A full intake queue answers 429 + Retry-After (HTTP) and RESOURCE_EXHAUSTED + RetryInfo (gRPC),
and never drops silently: every request that got a success is stored, no refused one is.

The queue holds 40 items; bursts of concurrent 20-span requests overrun it for real (clients are
answered only once their spans are stored, so accepted requests keep their items until written).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
import requests
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.serve.running import INIT_KEY, PROTOBUF, ServeProcess, start_serve
from tests.serve.spans import genai_traces, payload, sql_list, trace_ids

QUEUE_ITEMS = 40
BURST = 24


@pytest.fixture(scope="module")
def small_queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("small-queue"),
                          {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_SERVE_QUEUE_ITEMS": str(QUEUE_ITEMS)})
    try:
        yield process
    finally:
        process.kill()


def stored_trace_ids(serve: ServeProcess, candidates: set[str]) -> set[str]:
    rows = serve.query(f"SELECT DISTINCT trace_id FROM spans WHERE trace_id IN ({sql_list(sorted(candidates))})")
    return {r["trace_id"] for r in rows}


def test_http_burst_over_capacity_gets_429_and_only_accepted_spans_are_stored(small_queue: ServeProcess) -> None:
    batches = [genai_traces(10, service="burst-http") for _ in range(BURST)]  # 20 spans each

    def post(spans: list) -> requests.Response:
        return requests.post(f"{small_queue.otlp_http}/v1/traces", data=payload(spans),
                             headers=PROTOBUF, timeout=60)

    with ThreadPoolExecutor(BURST) as pool:
        replies = list(pool.map(post, batches))
    statuses = [r.status_code for r in replies]
    assert set(statuses) == {200, 429}, statuses
    for reply in replies:
        if reply.status_code == 429:
            assert reply.headers["Retry-After"] == "1"
            status = status_pb2.Status()
            status.ParseFromString(reply.content)
            assert status.code == code_pb2.RESOURCE_EXHAUSTED
            assert "queue full" in status.message

    accepted = set().union(*(trace_ids(b) for b, r in zip(batches, replies, strict=True) if r.status_code == 200))
    refused = set().union(*(trace_ids(b) for b, r in zip(batches, replies, strict=True) if r.status_code == 429))
    assert stored_trace_ids(small_queue, accepted | refused) == accepted


def test_grpc_burst_over_capacity_gets_resource_exhausted_with_retry_info(small_queue: ServeProcess) -> None:
    batches = [genai_traces(10, service="burst-grpc") for _ in range(BURST)]
    requests_ = []
    for spans in batches:
        request = ExportTraceServiceRequest()
        request.ParseFromString(payload(spans))
        requests_.append(request)
    with grpc.insecure_channel(small_queue.otlp_grpc) as channel:
        stub = trace_service_pb2_grpc.TraceServiceStub(channel)
        calls = [stub.Export.future(r, timeout=60, metadata=(("x-api-key", INIT_KEY),)) for r in requests_]
        outcomes: list[grpc.RpcError | None] = []
        for call in calls:
            try:
                call.result()
                outcomes.append(None)
            except grpc.RpcError as exc:
                outcomes.append(exc)

    codes = {grpc.StatusCode.OK if o is None else o.code() for o in outcomes}
    assert codes == {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}, outcomes
    for outcome in outcomes:
        if outcome is None:
            continue
        trailers = dict(outcome.trailing_metadata())
        retry = error_details_pb2.RetryInfo()
        retry.ParseFromString(trailers["google.rpc.retryinfo-bin"])
        assert retry.retry_delay.seconds == 1
        details = status_pb2.Status()
        details.ParseFromString(trailers["grpc-status-details-bin"])
        assert details.code == code_pb2.RESOURCE_EXHAUSTED
        assert details.details[0].Is(error_details_pb2.RetryInfo.DESCRIPTOR)

    accepted = set().union(*(trace_ids(b) for b, o in zip(batches, outcomes, strict=True) if o is None))
    refused = set().union(*(trace_ids(b) for b, o in zip(batches, outcomes, strict=True) if o is not None))
    assert stored_trace_ids(small_queue, accepted | refused) == accepted
