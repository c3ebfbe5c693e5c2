"""The ingest loop: poll → decode into column batches → write → commit.

Offsets move only after the batch holding their rows was written (at-least-once). A message that
cannot be normalised, or whose rows cannot be written (found by bisecting the failing batch,
`poison.py`), goes to the dead-letter sink with the reason and the loop goes on: no single input
stops it. The same loop runs over Kafka (`pyflare ingest`) and over the in-process queue of
`pyflare serve`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from workers.ingest.admission import KeyAdmission, Refused
from workers.ingest.poison import describe, is_transient, write_isolating
from workers.ingest.ports import BatchWriter, DeadLetterSink, MessageSource, SourceMessage
from workers.telemetry.batch import OtlpBatch
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
        self._options = options
        self._batches = {signal: BATCHES[signal](options) for signal in set(self._topics.values())}
        # The messages behind each batch, to rebuild parts of it when it cannot be written.
        self._messages: dict[str, list[SourceMessage]] = {signal: [] for signal in self._batches}
        self._max_rows = batch_max_rows
        self._max_seconds = batch_max_seconds
        self._poll_timeout_ms = poll_timeout_ms
        self._clock = clock
        self._pending: dict[tuple[str, int], int] = {}
        self._batch_started: float | None = None
        self._stop = threading.Event()
        self.stats = LoopStats()
        # Write-path health for readiness: since when flushes fail, and when the running one began.
        self.failing_since: float | None = None
        self.last_error = ""
        self.flush_started: float | None = None

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
            except Exception as exc:  # a bug or an unforeseen value: this message only, never the loop
                log.exception("normalising a %s message failed", signal)
                self._dead_letter(message, f"normalising the {signal} payload failed: {describe(exc)}")
            else:
                self.stats.add_rows(signal, added)
                if added:  # kept to rebuild the batch when a write must be bisected: the stamped record
                    self._messages[signal].append(admitted)
            self.stats.decode_seconds += time.perf_counter() - started
        self.stats.messages += 1
        self._pending[(message.topic, message.partition)] = message.offset + 1
        if self._batch_started is None:
            self._batch_started = self._clock()

    def flush(self) -> None:
        """Write every non-empty batch, make dead letters durable, then commit the offsets."""
        if not self._pending:
            self.failing_since = None
            return
        started = time.perf_counter()
        self.flush_started = time.monotonic()
        try:
            for signal, batch in self._batches.items():
                if len(batch):
                    self._write_batch(signal, batch)
                    batch.clear()
                    self._messages[signal] = []
        finally:
            self.flush_started = None
        self._dead_letters.flush()
        self._source.commit(dict(self._pending))
        self._pending.clear()
        self._batch_started = None
        self.failing_since = None
        self.stats.flushes += 1
        self.stats.write_seconds += time.perf_counter() - started

    def _write_batch(self, signal: str, batch: OtlpBatch) -> None:
        """Write one signal's batch; if its data cannot be converted or stored, write it again
        without the messages that cause it (they go to the dead letters)."""
        try:
            self._writer.write(signal, batch.to_arrow(), list(batch.embeddings))
            return
        except Exception as exc:
            if is_transient(exc):
                raise
            log.warning("the %s batch of %d messages cannot be written (%s); finding the message(s) at fault",
                        signal, len(self._messages[signal]), describe(exc))
        write_isolating(self._messages[signal], lambda group: self._rewrite(signal, group),
                        self._dead_letter, signal)

    def _rewrite(self, signal: str, messages: Sequence[SourceMessage]) -> None:
        batch = BATCHES[signal](self._options)
        for m in messages:
            batch.add_otlp(m.value, partition=m.partition, offset=m.offset)
        if len(batch):
            self._writer.write(signal, batch.to_arrow(), list(batch.embeddings))

    def flush_retrying(self, first_delay: float = 0.5, max_delay: float = 30.0) -> None:
        """Flush until it succeeds; a stop request ends the retries (nothing is committed then).

        Only failures of the write path itself get here (bad data is dead-lettered by `flush`).
        """
        delay = first_delay
        while True:
            try:
                self.flush()
                return
            except Exception as exc:
                if self.failing_since is None:
                    self.failing_since = self._clock()
                self.last_error = describe(exc)
                log.exception("writing the batch failed; it is kept and retried in %.1fs", delay)
                if self._stop.wait(delay):
                    raise
                delay = min(delay * 2, max_delay)

    def flush_or_discard(self) -> None:
        """One flush attempt, for partitions about to move: on failure the batch is dropped, since
        its records are uncommitted and the new owner reads them again (retrying here would stall
        the rebalance). Kafka's default (eager) rebalancing takes every partition away, so nothing
        read from a partition this consumer keeps is dropped."""
        try:
            self.flush()
        except Exception as exc:
            log.warning("writing the batch before a rebalance failed (%s); the new owner re-reads it",
                        describe(exc))
            self.discard()

    def write_problem(self, stuck_after_seconds: float) -> str | None:
        """Why the write path is not making progress, or None when it is."""
        now = self._clock()
        if self.failing_since is not None:
            return f"writes have been failing for {now - self.failing_since:.0f}s: {self.last_error}"
        started = self.flush_started
        if started is not None and time.monotonic() - started > stuck_after_seconds:
            return f"a write has been running for {time.monotonic() - started:.0f}s"
        return None

    def discard(self) -> None:
        """Drop the uncommitted batch (partitions were taken away; the new owner re-reads them)."""
        for batch in self._batches.values():
            batch.clear()
        self._messages = {signal: [] for signal in self._batches}
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
