"""Kafka adapters of the ingest loop: consumer source, dead-letter producer, topic creation."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.subscription_state import AsyncConsumerRebalanceListener
from kafka.errors import TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from workers.ingest.ports import SourceMessage
from workers.ingest.settings import IngestSettings

log = logging.getLogger("pyflare.ingest")


def ensure_topics(settings: IngestSettings, extra: Iterable[str] = ()) -> list[str]:
    """Create the PyFlare topics that do not exist yet; returns the names created."""
    wanted = [*settings.topics, settings.dlq_topic, settings.alerts_topic, *extra]
    admin = KafkaAdminClient(bootstrap_servers=settings.brokers, client_id="pyflare-admin")
    try:
        existing = set(admin.list_topics())
        missing = [t for t in dict.fromkeys(wanted) if t not in existing]
        created = []
        for name in missing:
            topic = NewTopic(
                name, num_partitions=settings.partitions, replication_factor=settings.replication_factor
            )
            try:
                admin.create_topics([topic])
                created.append(name)
            except TopicAlreadyExistsError:
                pass  # another consumer created it in between
        return created
    finally:
        admin.close()


class _FlushOnRevoke(AsyncConsumerRebalanceListener):
    """Writes and commits the open batch before partitions move to another consumer.

    The consumer calls its rebalance listener on its IO thread, where a blocking commit is refused
    (it would wait on the very thread that must send it). So the batch is written with the commits
    held back, and their offsets are then committed asynchronously and awaited: the IO thread keeps
    running while the commit travels, and the new owner starts after it.
    """

    def __init__(self, source: KafkaSource, on_revoke: Callable[[], None] | None) -> None:
        self._source = source
        self._on_revoke = on_revoke

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        if not revoked or self._on_revoke is None:
            return
        offsets = self._source.held_commits(self._on_revoke)
        if not offsets:
            return
        try:
            await self._source.commit_async(offsets)
        except Exception as exc:  # at-least-once: the new owner re-reads from the last commit
            log.warning("committing before a rebalance failed (%s); the new owner re-reads those records", exc)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("assigned partitions: %s", sorted(f"{tp.topic}/{tp.partition}" for tp in assigned))


class KafkaSource:
    """Consumer-group source with manual commits (auto-commit off)."""

    def __init__(self, settings: IngestSettings, *, on_revoke: Callable[[], None] | None = None) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=settings.brokers,
            group_id=settings.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=settings.max_poll_records,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
            client_id="pyflare-ingest",
            # A group joined on metadata that lacked a topic assigns none of its partitions; the
            # coordinator rejoins when a refresh shows them, so refresh often enough to heal quickly.
            metadata_max_age_ms=30_000,
        )
        self._held: dict[TopicPartition, OffsetAndMetadata] | None = None
        self._know_topics(settings.topics)
        self._consumer.subscribe(topics=list(settings.topics), listener=_FlushOnRevoke(self, on_revoke))

    def _know_topics(self, topics: Iterable[str], timeout_s: float = 30.0) -> None:
        """Wait (bounded) until this client's metadata has the topics' partitions, so the first group
        join assigns them; topics that never appear are left to the periodic refresh."""
        deadline = time.monotonic() + timeout_s
        missing = [t for t in topics if not self._consumer.partitions_for_topic(t)]
        while missing and time.monotonic() < deadline:
            time.sleep(0.5)
            missing = [t for t in missing if not self._consumer.partitions_for_topic(t)]
        if missing:
            log.warning("topics %s have no partitions yet; subscribing anyway", missing)

    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        records = self._consumer.poll(timeout_ms=timeout_ms)
        out: list[SourceMessage] = []
        for batch in records.values():
            for r in batch:
                out.append(SourceMessage(r.topic, r.partition, r.offset, r.value, r.key, r.headers or ()))
        return out

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        wanted = {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in offsets.items()}
        if self._held is not None:
            self._held.update(wanted)
            return
        self._consumer.commit(wanted)

    def held_commits(self, work: Callable[[], None]) -> dict[TopicPartition, OffsetAndMetadata]:
        """Run `work`, holding back the commits it makes; returns their offsets."""
        self._held = {}
        try:
            work()
            return self._held
        finally:
            self._held = None

    def commit_async(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> Any:
        """The consumer's asynchronous commit: a future the IO thread can await."""
        return self._consumer.commit_async(offsets)

    def lag(self) -> int:
        """Messages not yet consumed over the assigned partitions."""
        assigned = self._consumer.assignment()
        if not assigned:
            return 0
        ends = self._consumer.end_offsets(list(assigned))
        return sum(max(0, ends[tp] - self._consumer.position(tp)) for tp in assigned)

    def close(self) -> None:
        self._consumer.close(autocommit=False)


class KafkaDeadLetters:
    """Poison messages go to the DLQ topic with the reason and their origin in headers."""

    def __init__(self, settings: IngestSettings) -> None:
        self._topic = settings.dlq_topic
        self._producer = KafkaProducer(
            bootstrap_servers=settings.brokers, acks="all", client_id="pyflare-dlq"
        )

    def send(self, message: SourceMessage, reason: str) -> None:
        headers = [
            # the original headers (the client's API key among them) stay, so a fixed record can be replayed
            *((name, value) for name, value in message.headers if not name.startswith("pyflare.")),
            ("pyflare.error", reason.encode()),
            ("pyflare.source.topic", message.topic.encode()),
            ("pyflare.source.partition", str(message.partition).encode()),
            ("pyflare.source.offset", str(message.offset).encode()),
        ]
        self._producer.send(self._topic, value=message.value, key=message.key, headers=headers)

    def flush(self) -> None:
        self._producer.flush()

    def close(self) -> None:
        self._producer.close()
