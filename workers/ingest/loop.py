"""The ingest loop: poll → decode into column batches → write → commit.

Offsets move only after the batch holding their rows was written (at-least-once); a message that
cannot be decoded goes to the dead-letter sink and the loop goes on. The same loop runs over Kafka
(`pyflare ingest`) and over the in-process queue of `pyflare serve`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from workers.ingest.admission import KeyAdmission, Refused
from workers.ingest.ports import BatchWriter, DeadLetterSink, MessageSource, SourceMessage
from workers.telemetry.batches import BATCHES, NormaliseOptions
from workers.telemetry.errors import DecodeError

log = logging.getLogger("pyflare.ingest")


@dataclass
class LoopStats:
    messages: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    dead_letters: int = 0
    flushes: int = 0
    decode_seconds: float = 0.0
    write_seconds: float = 0.0

    def add_rows(self, signal: str, n: int) -> None:
        self.rows[signal] = self.rows.get(signal, 0) + n


class IngestLoop:
    def __init__(
        self,
        source: MessageSource,
        writer: BatchWriter,
        dead_letters: DeadLetterSink,
        *,
        topics: Mapping[str, str],
        options: NormaliseOptions,
        batch_max_rows: int = 50_000,
        batch_max_seconds: float = 1.0,
        poll_timeout_ms: int = 200,
        clock: Callable[[], float] = time.monotonic,
        admission: KeyAdmission | None = None,  # None: the source admitted its messages (pyflare serve)
    ) -> None:
        self._admission = admission
        self._source = source
        self._writer = writer
        self._dead_letters = dead_letters
        self._topics = dict(topics)
        self._batches = {signal: BATCHES[signal](options) for signal in set(self._topics.values())}
        self._max_rows = batch_max_rows
        self._max_seconds = batch_max_seconds
        self._poll_timeout_ms = poll_timeout_ms
        self._clock = clock
        self._pending: dict[tuple[str, int], int] = {}
        self._batch_started: float | None = None
        self._stop = threading.Event()
        self.stats = LoopStats()

    def stop(self) -> None:
        """Ask the loop to finish its batch, commit and return (safe from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, *, idle_hook: Callable[[], None] | None = None) -> None:
        while not self._stop.is_set():
            self.step()
            if idle_hook is not None:
                idle_hook()
        self.flush_retrying()

    def step(self) -> None:
        """One poll, then a flush if the batch is full or old enough."""
        for message in self._source.poll(self._poll_timeout_ms):
            self.add(message)
        if self._due():
            self.flush_retrying()

    def add(self, message: SourceMessage) -> None:
        signal = self._topics.get(message.topic)
        admitted = message if signal is None or self._admission is None else self._admission.admit(signal, message)
        if signal is None:
            self._dead_letter(message, f"topic {message.topic!r} carries no known signal")
        elif isinstance(admitted, Refused):
            self._dead_letter(message, admitted.reason)
        else:
            started = time.perf_counter()
            try:
                added = self._batches[signal].add_otlp(
                    admitted.value, partition=message.partition, offset=message.offset
                )
            except DecodeError as exc:
                self._dead_letter(message, f"cannot decode {signal} payload: {exc}")
            else:
                self.stats.add_rows(signal, added)
            self.stats.decode_seconds += time.perf_counter() - started
        self.stats.messages += 1
        self._pending[(message.topic, message.partition)] = message.offset + 1
        if self._batch_started is None:
            self._batch_started = self._clock()

    def flush(self) -> None:
        """Write every non-empty batch, make dead letters durable, then commit the offsets."""
        if not self._pending:
            return
        started = time.perf_counter()
        for signal, batch in self._batches.items():
            if len(batch):
                self._writer.write(signal, batch.to_arrow(), list(batch.embeddings))
                batch.clear()
        self._dead_letters.flush()
        self._source.commit(dict(self._pending))
        self._pending.clear()
        self._batch_started = None
        self.stats.flushes += 1
        self.stats.write_seconds += time.perf_counter() - started

    def flush_retrying(self, first_delay: float = 0.5, max_delay: float = 30.0) -> None:
        """Flush until it succeeds; a stop request ends the retries (nothing is committed then)."""
        delay = first_delay
        while True:
            try:
                self.flush()
                return
            except Exception:
                log.exception("writing the batch failed; it is kept and retried in %.1fs", delay)
                if self._stop.wait(delay):
                    raise
                delay = min(delay * 2, max_delay)

    def discard(self) -> None:
        """Drop the uncommitted batch (partitions were taken away; the new owner re-reads them)."""
        for batch in self._batches.values():
            batch.clear()
        self._pending.clear()
        self._batch_started = None

    def pending_rows(self) -> int:
        return sum(len(b) for b in self._batches.values())

    def _due(self) -> bool:
        if self._batch_started is None:
            return False
        if self.pending_rows() >= self._max_rows:
            return True
        return self._clock() - self._batch_started >= self._max_seconds

    def _dead_letter(self, message: SourceMessage, reason: str) -> None:
        log.warning(
            "dead letter: %s (topic=%s partition=%d offset=%d)",
            reason,
            message.topic,
            message.partition,
            message.offset,
        )
        self._dead_letters.send(message, reason)
        self.stats.dead_letters += 1
