"""The local service stack (deploy/local/stack) runs the real programs PyFlare's scale mode needs.

Telemetry sent with the real OpenTelemetry SDK to the collector must come out of Kafka as otlp_proto,
on the right topic, keyed by trace id; Redis and PostgreSQL must serve real clients.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import redis
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.partitioner.default import murmur2
from opentelemetry import trace
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, format_trace_id

from tests.fixtures.services import REPO_ROOT, STACK_SCRIPT, Otelcol, parse_exports

DELIVERY_TIMEOUT_MS = 60_000


def run_stack(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(STACK_SCRIPT), *args], capture_output=True, text=True, timeout=600, env=env, check=False)


def end_offsets(brokers: str, topic: str) -> dict[TopicPartition, int]:
    """Current end of each partition; empty when the topic does not exist yet (then read from 0)."""
    consumer = KafkaConsumer(bootstrap_servers=brokers)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        return consumer.end_offsets([TopicPartition(topic, p) for p in partitions]) if partitions else {}
    finally:
        consumer.close()


def first_record_after(
    brokers: str,
    topic: str,
    start: dict[TopicPartition, int],
    wanted: Callable[[ConsumerRecord], bool],
) -> ConsumerRecord:
    """Read `topic` from the offsets in `start` until a record satisfies `wanted` (or time runs out)."""
    consumer = KafkaConsumer(
        bootstrap_servers=brokers,
        group_id=f"pyflare-stack-test-{uuid.uuid4().hex}",
        enable_auto_commit=False,
    )
    try:
        assigned: set[TopicPartition] = set()
        waited_ms = 0
        while waited_ms < DELIVERY_TIMEOUT_MS:
            # The collector may create the topic only now: pick up partitions as they appear.
            partitions = {TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()}
            if partitions - assigned:
                assigned = partitions
                consumer.assign(sorted(assigned))
                for tp in assigned:
                    consumer.seek(tp, start.get(tp, 0))
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    if wanted(record):
                        return record
            waited_ms += 500
            if not assigned:
                consumer.topics()  # refresh metadata for a topic that does not exist yet
        pytest.fail(f"no matching record on {topic} within {DELIVERY_TIMEOUT_MS} ms", pytrace=False)
    finally:
        consumer.close()


def expected_partition(key: bytes, partitions: int) -> int:
    """Kafka's default keyed partitioning (Java clients, kafka-python): murmur2, positive, modulo."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


# --- the stack script ------------------------------------------------------------------------


@pytest.mark.kafka
@pytest.mark.otelcol
@pytest.mark.redis
@pytest.mark.postgres
def test_up_is_idempotent_and_status_reports_every_component_running(
    kafka_brokers: str, otelcol: Otelcol, redis_url: str, postgres_url: str
) -> None:
    before = run_stack("status")
    assert before.returncode == 0, before.stdout + before.stderr

    again = run_stack("up")

    assert again.returncode == 0, again.stderr
    for component in ("kafka", "otelcol", "redis", "postgres"):
        assert f"{component}: already running" in again.stderr
        assert re.search(rf"^{component} running pid=\d+$", before.stdout, flags=re.MULTILINE)
    after = run_stack("status")
    assert after.returncode == 0
    assert after.stdout == before.stdout  # same processes: nothing was restarted
    exported = parse_exports(again.stdout)
    assert exported == parse_exports(run_stack("env").stdout)
    assert exported["PYFLARE_KAFKA_BROKERS"] == kafka_brokers
    assert exported["PYFLARE_REDIS_URL"] == redis_url
    assert exported["PYFLARE_DATABASE_URL"] == postgres_url
    assert exported["PYFLARE_OTLP_GRPC_ENDPOINT"] == otelcol.grpc_endpoint

    with urllib.request.urlopen(otelcol.health_url, timeout=5) as response:
        assert response.status == 200


def test_status_removes_a_stale_pid_file_and_reports_stopped(tmp_path: Path) -> None:
    dead = subprocess.Popen(["sleep", "0"])
    dead.wait()
    (tmp_path / "run").mkdir()
    pid_file = tmp_path / "run" / "redis.pid"
    pid_file.write_text(f"{dead.pid}\n")

    status = run_stack("status", "redis", env={**os.environ, "PYFLARE_STACK_DIR": str(tmp_path)})

    assert status.returncode == 3
    assert status.stdout.strip() == "redis stopped"
    assert not pid_file.exists()


def test_unknown_component_is_refused_with_the_list_of_known_ones() -> None:
    result = run_stack("up", "zookeeper")
    assert result.returncode == 2
    assert "unknown component 'zookeeper' (known: kafka otelcol redis postgres)" in result.stderr


def test_a_service_fixture_fails_a_test_that_lacks_its_marker(tmp_path: Path) -> None:
    test_file = tmp_path / "test_markers.py"
    test_file.write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture
            def cache(redis_url):
                return redis_url

            def test_unmarked_direct(postgres_url):
                pass

            def test_unmarked_through_another_fixture(cache):
                pass

            @pytest.mark.redis
            def test_marked(cache):
                assert cache.startswith("redis://127.0.0.1:")
            """
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.fixtures.services",
            "-p",
            "no:cacheprovider",
            "-rA",
            str(test_file),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "uses the real-service fixture `postgres_url` but is not marked @pytest.mark.postgres" in result.stdout
    assert "uses the real-service fixture `redis_url` but is not marked @pytest.mark.redis" in result.stdout
    summary = re.findall(r"^(PASSED|ERROR|FAILED) \S+::(\w+)", result.stdout, flags=re.MULTILINE)
    outcomes = {test: outcome for outcome, test in summary}
    assert outcomes == {
        "test_unmarked_direct": "ERROR",
        "test_unmarked_through_another_fixture": "ERROR",
        "test_marked": "PASSED",
    }, result.stdout
    assert result.returncode == 1


# --- kafka -----------------------------------------------------------------------------------


@pytest.mark.kafka
def test_kafka_round_trip_on_an_auto_created_topic(kafka_brokers: str) -> None:
    topic = f"pyflare.test.roundtrip.{uuid.uuid4().hex[:12]}"
    messages = [(f"key-{i % 2}".encode(), f"value-{i}".encode()) for i in range(6)]
    producer = KafkaProducer(bootstrap_servers=kafka_brokers, acks="all")
    try:
        for key, value in messages:
            producer.send(topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()

    partitions = int(os.environ.get("PYFLARE_KAFKA_PARTITIONS", "4"))
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_brokers,
        group_id=f"pyflare-stack-test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    received: list[tuple[bytes, bytes, int]] = []
    try:
        for _ in range(120):
            for records in consumer.poll(timeout_ms=500).values():
                received.extend((r.key, r.value, r.partition) for r in records)
            if len(received) >= len(messages):
                break
        assert len(consumer.partitions_for_topic(topic) or ()) == partitions
    finally:
        consumer.close()
    assert sorted((k, v) for k, v, _ in received) == sorted(messages)
    for key, _value, partition in received:
        assert partition == expected_partition(key, partitions)
    admin = KafkaAdminClient(bootstrap_servers=kafka_brokers)
    try:
        admin.delete_topics([topic])
    finally:
        admin.close()


@pytest.mark.kafka
def test_kafka_allows_creating_the_pyflare_topics(kafka_brokers: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    names = [f"pyflare.dlq.test-{suffix}", f"pyflare.alerts.test-{suffix}"]
    admin = KafkaAdminClient(bootstrap_servers=kafka_brokers)
    try:
        admin.create_topics([NewTopic(n, num_partitions=2, replication_factor=1) for n in names])
        # Metadata of a just-created topic reaches the broker's cache a moment later (longer on a
        # loaded machine): ask again until every partition is described, within a bound.
        deadline = time.monotonic() + 30
        while True:
            described = {d["name"]: d for d in admin.describe_topics(names)}
            if all(len(described[n]["partitions"]) == 2 for n in names) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        admin.delete_topics(names)
    finally:
        admin.close()
    assert {name: len(described[name]["partitions"]) for name in names} == dict.fromkeys(names, 2)


# --- collector -> kafka ------------------------------------------------------------------------


@pytest.mark.kafka
@pytest.mark.otelcol
def test_span_sent_over_otlp_grpc_arrives_on_pyflare_traces_keyed_by_trace_id(
    kafka_brokers: str, otelcol: Otelcol
) -> None:
    start = end_offsets(kafka_brokers, "pyflare.traces")
    service = f"stack-test-{uuid.uuid4().hex[:8]}"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=otelcol.grpc_endpoint)))
    with provider.get_tracer("pyflare.tests").start_as_current_span("llm.chat") as span:
        span.set_attribute("gen_ai.request.model", "gpt-4o-mini")
        span.set_attribute("gen_ai.usage.input_tokens", 42)
        context = span.get_span_context()
    provider.shutdown()
    trace_key = format_trace_id(context.trace_id).encode()

    def carries_span(record: ConsumerRecord) -> bool:
        return any(
            s.span_id == context.span_id.to_bytes(8, "big")
            for rs in ExportTraceServiceRequest.FromString(record.value).resource_spans
            for ss in rs.scope_spans
            for s in ss.spans
        )

    record = first_record_after(kafka_brokers, "pyflare.traces", start, carries_span)

    request = ExportTraceServiceRequest.FromString(record.value)
    (resource_spans,) = request.resource_spans
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert resource["service.name"] == service
    (received,) = [s for ss in resource_spans.scope_spans for s in ss.spans]
    assert received.trace_id == context.trace_id.to_bytes(16, "big")
    assert received.name == "llm.chat"
    attributes = {a.key: a.value for a in received.attributes}
    assert attributes["gen_ai.request.model"].string_value == "gpt-4o-mini"
    assert attributes["gen_ai.usage.input_tokens"].int_value == 42
    assert record.key == trace_key
    partitions = len(end_offsets(kafka_brokers, "pyflare.traces"))
    assert record.partition == expected_partition(trace_key, partitions)


@pytest.mark.kafka
@pytest.mark.otelcol
def test_metric_sent_over_otlp_grpc_arrives_on_pyflare_metrics(kafka_brokers: str, otelcol: Otelcol) -> None:
    start = end_offsets(kafka_brokers, "pyflare.metrics")
    name = f"pyflare.stack_test.tokens_{uuid.uuid4().hex[:8]}"
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=otelcol.grpc_endpoint), export_interval_millis=3_600_000
    )
    provider = MeterProvider(metric_readers=[reader], resource=Resource.create({"service.name": "stack-test"}))
    provider.get_meter("pyflare.tests").create_counter(name).add(7, {"model": "gpt-4o-mini"})
    provider.shutdown()

    def metrics_named(record: ConsumerRecord) -> list:
        request = ExportMetricsServiceRequest.FromString(record.value)
        return [m for rm in request.resource_metrics for sm in rm.scope_metrics for m in sm.metrics if m.name == name]

    record = first_record_after(kafka_brokers, "pyflare.metrics", start, lambda r: bool(metrics_named(r)))

    (metric,) = metrics_named(record)
    (point,) = metric.sum.data_points
    assert point.as_int == 7
    assert metric.sum.is_monotonic
    assert {a.key: a.value.string_value for a in point.attributes} == {"model": "gpt-4o-mini"}


@pytest.mark.kafka
@pytest.mark.otelcol
def test_logs_sent_over_otlp_http_arrive_on_pyflare_logs_inside_and_outside_a_trace(
    kafka_brokers: str, otelcol: Otelcol
) -> None:
    start = end_offsets(kafka_brokers, "pyflare.logs")
    token = uuid.uuid4().hex
    trace_id, span_id = int(token, 16), 0x5EED
    in_trace = trace.set_span_in_context(
        NonRecordingSpan(SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(1)))
    )
    provider = LoggerProvider(resource=Resource.create({"service.name": "stack-test"}))
    provider.add_log_record_processor(
        SimpleLogRecordProcessor(OTLPLogExporter(endpoint=f"{otelcol.http_endpoint}/v1/logs"))
    )
    logger = provider.get_logger("pyflare.tests")
    logger.emit(body=f"drift detected run={token}", severity_number=SeverityNumber.WARN, severity_text="WARN")
    logger.emit(body=f"judge scored run={token}", severity_number=SeverityNumber.INFO, context=in_trace)
    provider.shutdown()

    def log_records(record: ConsumerRecord, body: str) -> list:
        request = ExportLogsServiceRequest.FromString(record.value)
        return [
            lr
            for rl in request.resource_logs
            for sl in rl.scope_logs
            for lr in sl.log_records
            if lr.body.string_value == body
        ]

    # A log outside any trace has no sampling randomness: the sampler must keep it, not drop it.
    outside = f"drift detected run={token}"
    (outside_log,) = log_records(
        first_record_after(kafka_brokers, "pyflare.logs", start, lambda r: bool(log_records(r, outside))), outside
    )
    assert outside_log.severity_number == SeverityNumber.WARN.value == 13
    assert outside_log.severity_text == "WARN"
    assert outside_log.trace_id == b""

    inside = f"judge scored run={token}"
    (inside_log,) = log_records(
        first_record_after(kafka_brokers, "pyflare.logs", start, lambda r: bool(log_records(r, inside))), inside
    )
    assert inside_log.trace_id == trace_id.to_bytes(16, "big")
    assert inside_log.span_id == span_id.to_bytes(8, "big")


# --- redis and postgres ----------------------------------------------------------------------


@pytest.mark.redis
def test_redis_answers_ping_and_keeps_a_value(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    key = f"pyflare:test:{uuid.uuid4().hex}"
    try:
        assert client.ping() is True
        client.set(key, "12.5", ex=60)
        assert client.get(key) == b"12.5"
    finally:
        client.delete(key)
        client.close()


@pytest.mark.postgres
def test_postgres_accepts_the_pyflare_role_which_may_create_databases(postgres_url: str) -> None:
    database = f"pyflare_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == ("pyflare", "pyflare")
        conn.execute(f'CREATE DATABASE "{database}"')
        try:
            other = postgres_url.rsplit("/", 1)[0] + f"/{database}"
            with psycopg.connect(other) as scratch:
                scratch.execute("CREATE TABLE t (x int)")
                scratch.execute("INSERT INTO t VALUES (1), (2), (39)")
                assert scratch.execute("SELECT sum(x) FROM t").fetchone() == (42,)
        finally:
            conn.execute(f'DROP DATABASE "{database}"')
