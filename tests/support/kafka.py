"""Kafka helpers for tests: start a consumer group at the current end, read topics, wait for commits."""

from __future__ import annotations

import time
from collections.abc import Iterable

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata


def _partitions(consumer: KafkaConsumer, topics: Iterable[str]) -> list[TopicPartition]:
    parts = []
    for topic in topics:
        deadline = time.monotonic() + 30
        ids = consumer.partitions_for_topic(topic)
        while not ids and time.monotonic() < deadline:
            time.sleep(0.2)
            ids = consumer.partitions_for_topic(topic)
        if not ids:
            raise RuntimeError(f"topic {topic} has no partitions")
        parts += [TopicPartition(topic, p) for p in sorted(ids)]
    return parts


def start_group_at_end(brokers: str, group: str, topics: Iterable[str]) -> None:
    """Commit the current end offsets for `group`, so it reads only what is produced from now on."""
    consumer = KafkaConsumer(bootstrap_servers=brokers, group_id=group, enable_auto_commit=False)
    try:
        parts = _partitions(consumer, topics)
        ends = consumer.end_offsets(parts)
        consumer.commit({tp: OffsetAndMetadata(ends[tp], "", -1) for tp in parts})
    finally:
        consumer.close(autocommit=False)


def end_offsets(brokers: str, topics: Iterable[str]) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=brokers)
    try:
        return consumer.end_offsets(_partitions(consumer, topics))
    finally:
        consumer.close()


def committed(brokers: str, group: str) -> dict[TopicPartition, int]:
    admin = KafkaAdminClient(bootstrap_servers=brokers)
    try:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
        return {tp: meta.offset for tp, meta in offsets.items()}
    finally:
        admin.close()


def read_all(brokers: str, topic: str, timeout: float = 10.0) -> list:
    """Every record currently in `topic`, from the beginning."""
    consumer = KafkaConsumer(bootstrap_servers=brokers, enable_auto_commit=False)
    try:
        parts = _partitions(consumer, [topic])
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        records: list = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < ends[tp] for tp in parts) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()
