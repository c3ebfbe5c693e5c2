"""Keys on intake, the default: the key decides the project, over OTLP/HTTP and OTLP/gRPC.

No key or a bad key → 401/UNAUTHENTICATED; a key whose role cannot write → 403; a resource naming a
project the key cannot write to (another project, "", a path, 5,000 characters) → 403/PERMISSION_DENIED
and nothing of the export is stored; resources without `pyflare.project` go to the key's project.
An ingest key writes all three signals and reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
import requests
from google.rpc import code_pb2, status_pb2
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import SpanExportResult

from tests.serve.running import INGEST_KEY, INIT_KEY, ServeProcess, pyflare_cli, start_serve
from tests.serve.spans import genai_traces, payload, trace_ids

CONTENT = {"Content-Type": "application/x-protobuf"}
MADE_UP = ["", "../../etc/passwd", "x" * 5000, "Default", "default "]


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("keyed"),
                          {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_INGEST_KEY": INGEST_KEY})
    try:
        made = pyflare_cli(process.data_dir, "projects", "create", "other")
        assert made.returncode == 0, made.stderr
        yield process
    finally:
        process.kill()


@pytest.fixture(scope="module")
def other_key(keyed: ServeProcess) -> str:
    """An admin key of project `other`: it can read what landed there."""
    made = pyflare_cli(keyed.data_dir, "keys", "create", "--project", "other", "--role", "admin")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def status_of(reply: requests.Response) -> status_pb2.Status:
    status = status_pb2.Status()
    status.ParseFromString(reply.content)
    return status


def stored_traces(serve: ServeProcess, service: str, key: str = INIT_KEY) -> list[dict[str, object]]:
    return serve.query(f"SELECT DISTINCT trace_id, project FROM spans WHERE service_name = '{service}'", key)


def post(serve: ServeProcess, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{serve.otlp_http}/v1/traces", data=body, headers={**CONTENT, **headers}, timeout=30)


def test_without_or_with_a_wrong_key_http_is_401_and_nothing_is_stored(keyed: ServeProcess) -> None:
    body = payload(genai_traces(1, project=None, service="keyless-http"))
    missing = post(keyed, body, {})
    assert missing.status_code == 401
    assert status_of(missing).code == code_pb2.UNAUTHENTICATED
    assert "x-api-key" in status_of(missing).message
    for wrong in ({"X-API-Key": "pf_not_a_key_of_this_install"}, {"Authorization": "Bearer pf_not_a_key_either"},
                  {"X-API-Key": "k" * 100_00}):
        reply = post(keyed, body, wrong)
        assert reply.status_code == 401, wrong
        assert "invalid API key" in status_of(reply).message
    assert stored_traces(keyed, "keyless-http") == []


def test_a_revoked_key_is_401(keyed: ServeProcess) -> None:
    made = pyflare_cli(keyed.data_dir, "keys", "create", "--project", "default", "--name", "soon revoked")
    key = made.stdout.strip()
    revoked = pyflare_cli(keyed.data_dir, "keys", "revoke", key[:10])
    assert revoked.returncode == 0, revoked.stderr
    reply = post(keyed, payload(genai_traces(1, project=None, service="revoked-bot")), {"X-API-Key": key})
    assert reply.status_code == 401
    assert "revoked" in status_of(reply).message


def test_a_key_whose_role_cannot_write_is_403(keyed: ServeProcess) -> None:
    created = requests.post(f"{keyed.web}/api/v1/api-keys", json={"name": "dashboards", "role": "viewer"},
                            headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert created.status_code == 201, created.text
    reply = post(keyed, payload(genai_traces(1)), {"X-API-Key": created.json()["key"]})
    assert reply.status_code == 403
    assert "traces:write" in status_of(reply).message


def test_spans_without_the_attribute_land_in_the_keys_project(keyed: ServeProcess) -> None:
    spans = genai_traces(2, project=None, service="no-attribute-bot")
    reply = post(keyed, payload(spans), {"X-API-Key": INGEST_KEY})
    assert reply.status_code == 200, status_of(reply).message
    rows = stored_traces(keyed, "no-attribute-bot")
    assert {r["trace_id"] for r in rows} == trace_ids(spans)
    assert {r["project"] for r in rows} == {"default"}


def test_naming_the_keys_own_project_is_fine(keyed: ServeProcess) -> None:
    spans = genai_traces(1, project="default", service="own-project-bot")
    assert post(keyed, payload(spans), {"Authorization": f"Bearer {INGEST_KEY}"}).status_code == 200
    assert {r["trace_id"] for r in stored_traces(keyed, "own-project-bot")} == trace_ids(spans)


def test_another_project_is_refused_and_nothing_lands_anywhere(keyed: ServeProcess, other_key: str) -> None:
    spans = genai_traces(2, project="other", service="foreign-bot")
    reply = post(keyed, payload(spans), {"X-API-Key": INGEST_KEY})
    assert reply.status_code == 403
    status = status_of(reply)
    assert status.code == code_pb2.PERMISSION_DENIED
    assert "'other'" in status.message and "'default'" in status.message
    assert stored_traces(keyed, "foreign-bot") == []
    assert stored_traces(keyed, "foreign-bot", other_key) == []


@pytest.mark.parametrize("slug", MADE_UP, ids=["empty", "path", "5000-chars", "upper-case", "trailing-space"])
def test_made_up_slugs_are_refused(keyed: ServeProcess, slug: str) -> None:
    service = f"made-up-{len(slug)}-{slug[:1].isupper()}"
    reply = post(keyed, payload(genai_traces(1, project=slug, service=service)), {"X-API-Key": INGEST_KEY})
    assert reply.status_code == 403
    assert len(status_of(reply).message) < 400  # a 5,000-character slug is not echoed back whole
    assert stored_traces(keyed, service) == []
    listed = pyflare_cli(keyed.data_dir, "projects", "list")
    assert sorted(line.split("\t")[0] for line in listed.stdout.splitlines()) == ["default", "other"]


def test_a_mixed_export_is_refused_whole(keyed: ServeProcess) -> None:
    good = genai_traces(1, project="default", service="mixed-bot")
    bad = genai_traces(1, project="other", service="mixed-bot")
    request = ExportTraceServiceRequest()
    request.ParseFromString(payload(good))
    foreign = ExportTraceServiceRequest()
    foreign.ParseFromString(payload(bad))
    request.resource_spans.extend(foreign.resource_spans)
    reply = post(keyed, request.SerializeToString(), {"X-API-Key": INGEST_KEY})
    assert reply.status_code == 403
    assert stored_traces(keyed, "mixed-bot") == []


def test_grpc_with_a_bearer_ingest_key_is_stored_in_the_keys_project(keyed: ServeProcess) -> None:
    spans = genai_traces(2, project=None, service="grpc-ingest-bot")
    exporter = GrpcSpanExporter(endpoint=keyed.otlp_grpc, insecure=True, timeout=30,
                                headers={"authorization": f"Bearer {INGEST_KEY}"})
    try:
        assert exporter.export(spans) == SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    rows = stored_traces(keyed, "grpc-ingest-bot")
    assert {r["trace_id"] for r in rows} == trace_ids(spans)
    assert {r["project"] for r in rows} == {"default"}


def _grpc_export(keyed: ServeProcess, request: ExportTraceServiceRequest,
                 metadata: tuple[tuple[str, str], ...]) -> grpc.RpcError:  # fmt: skip
    with grpc.insecure_channel(keyed.otlp_grpc) as channel, pytest.raises(grpc.RpcError) as refused:
        trace_service_pb2_grpc.TraceServiceStub(channel).Export(request, metadata=metadata, timeout=30)
    return refused.value


def test_grpc_without_a_key_or_into_another_project_is_refused(keyed: ServeProcess) -> None:
    request = ExportTraceServiceRequest()
    request.ParseFromString(payload(genai_traces(1, project="other", service="grpc-foreign-bot")))
    missing = _grpc_export(keyed, request, ())
    assert missing.code() == grpc.StatusCode.UNAUTHENTICATED
    foreign = _grpc_export(keyed, request, (("x-api-key", INGEST_KEY),))
    assert foreign.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "'other'" in (foreign.details() or "")
    assert stored_traces(keyed, "grpc-foreign-bot") == []


def test_an_ingest_key_writes_metrics_and_logs_too(keyed: ServeProcess) -> None:
    resource = Resource.create({"service.name": "ingest-signals-bot"})
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{keyed.otlp_http}/v1/metrics", headers={"x-api-key": INGEST_KEY}, timeout=30),
        export_interval_millis=3_600_000,
    )
    meters = MeterProvider(resource=resource, metric_readers=[reader])
    meters.get_meter("tests").create_counter("ingest.requests").add(3)
    assert reader.force_flush(30_000)
    meters.shutdown()
    logs = LoggerProvider(resource=resource)
    logs.add_log_record_processor(SimpleLogRecordProcessor(
        OTLPLogExporter(endpoint=f"{keyed.otlp_http}/v1/logs", headers={"x-api-key": INGEST_KEY}, timeout=30)))
    logs.get_logger("tests").emit(body="from the ingest key")  # type: ignore[call-arg]
    logs.shutdown()
    assert keyed.query("SELECT project, max(value) AS total FROM metrics WHERE metric_name = 'ingest.requests' "
                       "GROUP BY project") == [{"project": "default", "total": 3.0}]
    assert keyed.query("SELECT project, body FROM logs WHERE service_name = 'ingest-signals-bot'") == [
        {"project": "default", "body": "from the ingest key"}]


@pytest.mark.parametrize("path", ["/api/v1/traces", "/api/v1/logs", "/api/v1/api-keys", "/api/v1/costs"])
def test_an_ingest_key_reads_nothing(keyed: ServeProcess, path: str) -> None:
    reply = requests.get(f"{keyed.web}{path}", headers={"X-API-Key": INGEST_KEY}, timeout=30)
    assert reply.status_code == 403, (path, reply.status_code, reply.text)


def test_an_ingest_key_cannot_run_sql(keyed: ServeProcess) -> None:
    reply = requests.post(f"{keyed.web}/api/v1/query", json={"sql": "SELECT 1"},
                          headers={"X-API-Key": INGEST_KEY}, timeout=30)
    assert reply.status_code == 403
