"""At-least-once on real Kafka: `pyflare ingest` killed with SIGKILL mid-stream loses nothing.

The consumer runs as a real subprocess on its own chdb directory; the stored, deduplicated count
must equal what was produced, and a poison message must land in the DLQ without blocking others.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from tests.support.chdb_query import query_in_subprocess
from tests.support.kafka import committed, end_offsets, read_all
from tests.support.otlp import encode, record_spans

pytestmark = pytest.mark.kafka

SPANS_PER_MESSAGE = 100
MESSAGES = 200
POISON_AT = 120


@pytest.fixture
def consumers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Consumer processes started by the test; killed at the end whatever happened."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def _start_consumer(
    env: dict[str, str], log_path: Path, started: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "webapp.cli", "ingest"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    started.append(proc)
    return proc


def _ingest_key(env: dict[str, str], project: str) -> str:
    """A project and an ingest key in the consumer's control database, made with the CLI."""
    cli = [sys.executable, "-m", "webapp.cli"]
    subprocess.run([*cli, "projects", "create", project], env=env, check=True, capture_output=True, timeout=120)
    made = subprocess.run([*cli, "keys", "create", "--project", project], env=env, check=True, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    return made.stdout.strip()


def _wait(predicate, timeout: float, what: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(
                f"consumer exited ({proc.returncode}) while waiting for {what}:\n{log_path.read_text()[-3000:]}"
            )
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{log_path.read_text()[-3000:]}")


def test_sigkill_mid_stream_then_restart_stores_every_span_exactly_once(
    kafka_brokers: str, tmp_path: Path, consumers: list[subprocess.Popen[bytes]]
) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    topic = f"{prefix}.traces"
    group = f"{prefix}-ingest"
    url = f"chdb://{tmp_path / 'clickhouse'}"
    env = {
        **os.environ,
        "PYFLARE_KAFKA_BROKERS": kafka_brokers,
        "PYFLARE_KAFKA_TOPIC_PREFIX": prefix,
        "PYFLARE_INGEST_GROUP": group,
        "PYFLARE_CLICKHOUSE_URL": url,
        "PYFLARE_DATA_DIR": str(tmp_path / "data"),
        "PYFLARE_INGEST_BATCH_ROWS": "1500",
        "PYFLARE_INGEST_BATCH_SECONDS": "0.5",
        "PYFLARE_INGEST_STATS_SECONDS": "1",
    }
    spans = record_spans(SPANS_PER_MESSAGE * MESSAGES, service=f"svc-{prefix}")
    payloads = [encode(spans[i : i + SPANS_PER_MESSAGE]) for i in range(0, len(spans), SPANS_PER_MESSAGE)]
    poison = b"\x0a\x05garbage-that-is-not-an-otlp-request"
    payloads.insert(POISON_AT, poison)
    log_path = tmp_path / "ingest.log"
    key = _ingest_key(env, "delivery")  # records carry it as the collector would pass it through

    first = _start_consumer(env, log_path, consumers)  # creates the topics
    _wait(lambda: "consuming" in log_path.read_text(), 120, "the consumer to start", first, log_path)

    producer = KafkaProducer(bootstrap_servers=kafka_brokers, acks="all", linger_ms=5)

    def produce() -> None:  # a steady stream, so the kill lands in the middle of it
        for i, value in enumerate(payloads):
            producer.send(topic, value=value, key=str(i).encode(), headers=[("x-api-key", key.encode())])
            if i % 10 == 9:
                producer.flush()
                time.sleep(0.05)
        producer.flush()

    streaming = threading.Thread(target=produce)
    streaming.start()

    def some_committed() -> bool:
        done = sum(o for tp, o in committed(kafka_brokers, group).items() if tp.topic == topic)
        return done >= 30

    _wait(some_committed, 120, "first commits", first, log_path)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    streaming.join(timeout=120)
    producer.close()
    ends = end_offsets(kafka_brokers, [topic])
    assert sum(ends.values()) == len(payloads)
    committed_at_kill = sum(o for tp, o in committed(kafka_brokers, group).items() if tp.topic == topic)
    assert committed_at_kill < len(payloads), "the kill came after everything was committed"

    second = _start_consumer(env, log_path, consumers)

    def all_committed() -> bool:
        offsets = committed(kafka_brokers, group)
        return all(offsets.get(tp, -1) == end for tp, end in ends.items())

    _wait(all_committed, 180, "every offset committed after restart", second, log_path)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0, log_path.read_text()[-3000:]

    [[distinct, final_count, raw_count]] = query_in_subprocess(
        url,
        "pyflare",
        f"SELECT uniqExact(span_id), (SELECT count() FROM spans FINAL WHERE service_name = 'svc-{prefix}'), "
        f"count() FROM spans WHERE service_name = 'svc-{prefix}'",
    )
    assert distinct == len(spans)
    assert final_count == len(spans)
    assert raw_count >= len(spans)

    dead = read_all(kafka_brokers, f"{prefix}.dlq")
    assert len(dead) == 1
    headers = {k: v.decode() for k, v in dead[0].headers}
    assert dead[0].value == poison
    assert headers["pyflare.source.topic"] == topic
    assert headers["pyflare.error"].startswith("cannot decode traces payload")
    assert headers["x-api-key"] == key  # the record's own headers are kept: it can be replayed as it was
    poison_offset = int(headers["pyflare.source.offset"])
    assert poison_offset >= 0 and headers["pyflare.source.partition"].isdigit()
