"""Property-based fuzzing of a real `pyflare serve` through OTLP/HTTP (protobuf and JSON) and
OTLP/gRPC, with the compiled decoder on and off (PYFLARE_NATIVE=0).

After every generated request, good or not: the process is up, anonymous /ready says "ready"
(nothing is stuck), and a plain request of the same signal right after it is stored. At the end,
every request that was acknowledged (200) has all its items stored, and every request the ingest
loop refused after accepting it (a 400 from the loop, not from the receiver's checks) is in the
dead-letter file with its reason. Example counts are small and the search is derandomized, so a
run is reproducible and short (PYFLARE_FUZZ_EXAMPLES searches deeper).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import requests
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings

from tests.fuzz.otlp_strategies import CASES, Case, good_case, item_count, stamp
from tests.serve.running import INIT_KEY, ServeProcess, start_serve

EXAMPLES = int(os.environ.get("PYFLARE_FUZZ_EXAMPLES", "10"))  # raise it for a deeper search by hand
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
TABLES = {"traces": "spans", "metrics": "metrics", "logs": "logs"}
GRPC_METHODS = {
    "traces": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    "metrics": "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    "logs": "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
}
GRPC_HTTP = {grpc.StatusCode.OK: 200, grpc.StatusCode.INVALID_ARGUMENT: 400,
             grpc.StatusCode.UNAVAILABLE: 503, grpc.StatusCode.RESOURCE_EXHAUSTED: 429}


@pytest.fixture(scope="module", params=["native", "python"])
def fuzzed_serve(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    env = {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_OTLP_MAX_BODY_BYTES": str(4 * 1024 * 1024)}
    if request.param == "python":
        env["PYFLARE_NATIVE"] = "0"
    process = start_serve(tmp_path_factory.mktemp(f"fuzz-{request.param}"), env)
    try:
        yield process
    finally:
        process.kill()


def _send(serve: ServeProcess, transport: str, case: Case) -> tuple[int, str]:
    if transport == "grpc":
        with grpc.insecure_channel(serve.otlp_grpc, options=[("grpc.max_send_message_length", 8 << 20)]) as ch:
            export = ch.unary_unary(GRPC_METHODS[case.signal], request_serializer=lambda b: b,
                                    response_deserializer=lambda b: b)
            try:
                export(case.payload(), metadata=(("x-api-key", INIT_KEY),), timeout=60)
            except grpc.RpcError as exc:
                return GRPC_HTTP.get(exc.code(), 500), exc.details() or ""
            return 200, ""
    if transport == "json":
        body = json_format.MessageToJson(case.request).encode()
        headers = {"Content-Type": "application/json"}
    else:
        body = case.payload()
        headers = {"Content-Type": "application/x-protobuf"}
    reply = requests.post(f"{serve.otlp_http}/v1/{case.signal}", data=body, timeout=60,
                          headers={**headers, "X-API-Key": INIT_KEY})
    return reply.status_code, reply.text


def _stored(serve: ServeProcess, signal: str, services: list[str]) -> dict[str, int]:
    if not services:
        return {}
    names = ", ".join(f"'{s}'" for s in services)
    inner = f"SELECT service_name FROM {TABLES[signal]} WHERE service_name IN ({names})"
    if signal == "traces":
        inner = (f"SELECT service_name, trace_id, span_id FROM spans WHERE service_name IN ({names}) "
                 "LIMIT 1 BY trace_id, span_id")
    rows = serve.query(f"SELECT service_name, count() AS n FROM ({inner}) GROUP BY service_name")
    return {r["service_name"]: r["n"] for r in rows}


def _dead_letter_reasons(serve: ServeProcess) -> list[str]:
    path = serve.data_dir / "dead_letters" / "otlp.jsonl"
    if not Path(path).exists():
        return []
    return [json.loads(line)["reason"] for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("signal", ["traces", "metrics", "logs"])
@pytest.mark.parametrize("transport", ["protobuf", "json", "grpc"])
def test_no_request_stops_ingest_or_loses_acknowledged_data(
    fuzzed_serve: ServeProcess, transport: str, signal: str
) -> None:
    serve = fuzzed_serve
    run = f"{transport}-{signal}-{serve.otlp_http_port}"
    acknowledged: dict[str, int] = {}
    refused_by_loop: list[str] = []
    answers: dict[int, int] = {}

    @FUZZ
    @given(case=CASES[signal])
    def one_request(case: Case) -> None:
        case = stamp(case, run)
        status, text = _send(serve, transport, case)
        answers[status] = answers.get(status, 0) + 1
        assert status in (200, 400), (status, text)  # never a 500, never "retry later" for bad data
        if status == 200:
            acknowledged[case.service] = item_count(case)
        elif "storing the" in text or "normalising the" in text:
            refused_by_loop.append(text)
        assert serve.proc is not None and serve.proc.poll() is None, serve.output()
        ready = requests.get(f"{serve.web}/api/v1/ready", timeout=30)
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
        good = good_case(signal, run)
        assert _send(serve, transport, good) == (200, "" if transport == "grpc" else _send_ok_text(transport))
        acknowledged[good.service] = item_count(good)

    one_request()
    stored = _stored(serve, signal, sorted(acknowledged))
    missing = {s: (n, stored.get(s, 0)) for s, n in acknowledged.items() if stored.get(s, 0) != n}
    assert missing == {}, f"acknowledged but not stored (expected, found): {missing}"
    reasons = _dead_letter_reasons(serve)
    for text in refused_by_loop:
        assert any(reason in text for reason in reasons), text
    assert answers.get(200, 0) and answers.get(400, 0), answers  # the search reached both verdicts


def _send_ok_text(transport: str) -> str:
    return "{}" if transport == "json" else ""
