"""A second consumer joining the group while the first holds an unwritten batch: the first writes it and
commits before its partitions move, so nothing is stored twice and both keep ingesting.

Kafka calls the rebalance listener on the consumer's IO thread, where a blocking commit is refused; a
listener that commits synchronously there retries forever and the first consumer stops ingesting.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kafka import KafkaProducer

from tests.serve.spans import genai_traces, payload
from tests.support.kafka import committed, start_group_at_end
from workers.ingest.admission import KeyAdmission, KeyRefused
from workers.ingest.kafka import KafkaDeadLetters, KafkaSource, ensure_topics
from workers.ingest.loop import IngestLoop
from workers.ingest.settings import IngestSettings
from workers.ingest.sink import StorageSink
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions

pytestmark = pytest.mark.kafka

KEY = "pf_rebalance_ingest_key"
TRACES_PER_MESSAGE = 2
SPANS_PER_MESSAGE = len(genai_traces(TRACES_PER_MESSAGE))


def lookup(plaintext: str, signal: str) -> str:
    if plaintext != KEY:
        raise KeyRefused("unauthenticated: invalid API key")
    return "rebalance"


class Member:
    """One consumer of the group, stepping its ingest loop on a thread of its own."""

    def __init__(self, settings: IngestSettings, client: Any, *, batch_seconds: float) -> None:
        self.source = KafkaSource(settings, on_revoke=lambda: self.loop.flush_or_discard())
        self.dead = KafkaDeadLetters(settings)
        self.loop = IngestLoop(
            self.source, StorageSink(ClickHouseWriter(client), None), self.dead, topics=settings.topics,
            options=NormaliseOptions(), batch_max_seconds=batch_seconds, batch_max_rows=1_000_000,
            admission=KeyAdmission(lookup),
        )
        self.thread = threading.Thread(target=self.loop.run, daemon=True)

    def close(self) -> None:
        self.loop.stop()
        self.thread.join(timeout=30)
        self.source.close()
        self.dead.close()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture
def group(kafka_brokers: str) -> Iterator[IngestSettings]:
    name = f"rebalance-{uuid.uuid4().hex[:8]}"
    settings = IngestSettings(
        brokers=kafka_brokers, group_id=name, topics={f"{name}.traces": "traces"}, partitions=4,
        dlq_topic=f"{name}.dlq",
    )
    ensure_topics(settings)
    start_group_at_end(kafka_brokers, settings.group_id, settings.topics)
    yield settings


def test_a_joining_consumer_takes_over_without_duplicates_or_a_stalled_member(
    group: IngestSettings, ch_migrated: Any
) -> None:
    topic = next(iter(group.topics))
    service = f"svc-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=group.brokers, acks="all")

    def send(count: int) -> None:
        for i in range(count):
            spans = genai_traces(TRACES_PER_MESSAGE, project=None, service=service)
            producer.send(topic, value=payload(spans), partition=i % group.partitions,
                          headers=[("x-api-key", KEY.encode())])
        producer.flush()

    def stored() -> int:
        sql = f"SELECT count() FROM spans WHERE service_name = '{service}'"
        return int(ch_migrated.query(sql).result_rows[0][0])

    def committed_total() -> int:
        return sum(o for tp, o in committed(group.brokers, group.group_id).items() if tp.topic == topic)

    first = Member(group, ch_migrated, batch_seconds=3600)  # holds its batch until the rebalance
    second: Member | None = None
    try:
        first.thread.start()
        send(8)
        wait_for(lambda: first.loop.stats.messages >= 8, 60, "the first consumer to read 8 messages")
        assert stored() == 0 and committed_total() == 0  # the batch is open, nothing written yet

        second = Member(group, ch_migrated, batch_seconds=0.3)
        second.thread.start()
        wait_for(lambda: committed_total() == 8, 60, "the first consumer to commit its batch on revoke")
        assert stored() == 8 * SPANS_PER_MESSAGE

        # ingest goes on after the move: the first would hold its share for an hour, so it is stopped
        # (stopping writes and commits its batch) and the second reads whatever is left
        send(8)
        first.close()
        wait_for(lambda: committed_total() == 16, 90, "every message committed")
        wait_for(lambda: stored() == 16 * SPANS_PER_MESSAGE, 30, "every span stored")
        time.sleep(1)
        assert stored() == 16 * SPANS_PER_MESSAGE  # exactly once: nothing re-read after the move
    finally:
        producer.close()
        for member in (first, second):
            if member is not None and member.thread.is_alive():
                member.close()
