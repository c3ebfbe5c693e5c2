"""The ingest loop with injected parts: nothing is committed before its rows are written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
import pytest

from tests.support.otlp import trace_payloads
from workers.ingest.loop import IngestLoop
from workers.ingest.ports import SourceMessage
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_TRACES
from workers.telemetry.batches import NormaliseOptions


class Journal:
    """What happened, in order: writes (with the source offsets they held), dead letters, commits."""

    def __init__(self) -> None:
        self.written: set[tuple[int, int]] = set()  # (partition, offset) of rows durably written
        self.dead: set[tuple[int, int]] = set()
        self.dead_pending: set[tuple[int, int]] = set()
        self.commits: list[dict[tuple[str, int], int]] = []
        self.violations: list[str] = []


class ScriptedSource:
    def __init__(self, journal: Journal, messages: list[SourceMessage], per_poll: int) -> None:
        self._journal, self._messages, self._per_poll = journal, list(messages), per_poll

    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        taken, self._messages = self._messages[: self._per_poll], self._messages[self._per_poll :]
        return taken

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        self._journal.commits.append(dict(offsets))
        for (_topic, partition), next_offset in offsets.items():
            for offset in range(next_offset):
                key = (partition, offset)
                if key not in self._journal.written and key not in self._journal.dead:
                    self._journal.violations.append(f"p{partition} offset {offset} committed before written")


class RecordingWriter:
    def __init__(self, journal: Journal, fail_first: int = 0) -> None:
        self._journal, self._fail_left = journal, fail_first
        self.rows = 0

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[object]) -> None:
        if self._fail_left:
            self._fail_left -= 1
            raise OSError("storage unavailable")
        cols = table.to_pydict()
        self._journal.written.update(zip(cols["source_partition"], cols["source_offset"], strict=True))
        self.rows += table.num_rows


class RecordingDeadLetters:
    def __init__(self, journal: Journal) -> None:
        self._journal = journal

    def send(self, message: SourceMessage, reason: str) -> None:
        assert "traces" in reason
        self._journal.dead_pending.add((message.partition, message.offset))

    def flush(self) -> None:
        self._journal.dead |= self._journal.dead_pending
        self._journal.dead_pending.clear()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.05
        return self.now


def _messages(payloads: list[bytes], partitions: int) -> list[SourceMessage]:
    offsets = [0] * partitions
    out = []
    for i, value in enumerate(payloads):
        p = i % partitions
        out.append(SourceMessage(TOPIC_TRACES, p, offsets[p], value))
        offsets[p] += 1
    return out


def _loop(
    journal: Journal, messages: list[SourceMessage], writer: RecordingWriter, **kw: object
) -> IngestLoop:
    return IngestLoop(
        ScriptedSource(journal, messages, per_poll=3),
        writer,
        RecordingDeadLetters(journal),
        topics=SIGNAL_TOPICS,
        options=NormaliseOptions(),
        clock=FakeClock(),
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("batch_max_rows", [1, 25, 10_000])
def test_no_offset_is_committed_before_its_rows_are_written(batch_max_rows: int) -> None:
    payloads = trace_payloads(300, per_request=10)
    payloads.insert(7, b"\x0a\xff\xff not protobuf")  # a poison message in the middle
    messages = _messages(payloads, partitions=3)
    journal = Journal()
    writer = RecordingWriter(journal)
    loop = _loop(journal, messages, writer, batch_max_rows=batch_max_rows, batch_max_seconds=0.5)

    for _ in range(len(messages)):
        loop.step()
    loop.flush()

    assert journal.violations == []
    assert writer.rows == 300
    assert len(journal.dead) == 1
    final: dict[tuple[str, int], int] = {}
    for c in journal.commits:
        final.update(c)
    expected = {(TOPIC_TRACES, p): sum(1 for m in messages if m.partition == p) for p in range(3)}
    assert final == expected


def test_a_failed_write_is_retried_and_nothing_is_committed_meanwhile() -> None:
    messages = _messages(trace_payloads(40, per_request=10), partitions=1)
    journal = Journal()
    writer = RecordingWriter(journal, fail_first=2)
    loop = _loop(journal, messages, writer, batch_max_rows=1_000_000, batch_max_seconds=1000)
    for _ in range(3):
        loop.step()

    with pytest.raises(OSError):
        loop.flush()
    assert journal.commits == []
    loop.flush_retrying(first_delay=0.001)

    assert journal.violations == []
    assert writer.rows == 40
    assert journal.commits == [{(TOPIC_TRACES, 0): 4}]


def test_stop_flushes_and_commits_what_was_read() -> None:
    messages = _messages(trace_payloads(30, per_request=5), partitions=2)
    journal = Journal()
    writer = RecordingWriter(journal)
    loop = _loop(journal, messages, writer, batch_max_rows=1_000_000, batch_max_seconds=1000)

    polls = 0

    def stop_after_all_polled() -> None:
        nonlocal polls
        polls += 1
        if polls == 2:
            loop.stop()

    loop.run(idle_hook=stop_after_all_polled)
    assert writer.rows == 30
    assert journal.commits == [{(TOPIC_TRACES, 0): 3, (TOPIC_TRACES, 1): 3}]
