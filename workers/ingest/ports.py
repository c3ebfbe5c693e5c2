"""The parts the ingest loop is assembled from, as protocols.

The loop only sees these: a source of messages with explicit commits, a writer for decoded batches,
and a dead-letter sink. Kafka, the embedded in-process queue, ClickHouse and test doubles plug in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa

from workers.telemetry.batches import EmbeddingRecord


@dataclass(frozen=True, slots=True)
class SourceMessage:
    topic: str
    partition: int
    offset: int
    value: bytes
    key: bytes | None = None
    headers: Sequence[tuple[str, bytes]] = field(default_factory=tuple)


class MessageSource(Protocol):
    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        """Next messages, possibly none."""

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        """Mark everything below each (topic, partition) -> next offset as done."""


class BatchWriter(Protocol):
    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        """Store one decoded batch durably; raise if it was not stored."""


class DeadLetterSink(Protocol):
    def send(self, message: SourceMessage, reason: str) -> None:
        """Record a message that cannot be decoded."""

    def flush(self) -> None:
        """Return once every sent dead letter is durable."""
