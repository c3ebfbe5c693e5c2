"""The intake queue on its own and under the real ingest loop writing to ClickHouse (chdb):
capacity in items, acknowledgement only after the write, dead letters reported back to the sender.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from tests.serve.spans import genai_traces, payload
from webapp.serve.deadletters import FileDeadLetters
from webapp.serve.ingest import EmbeddedIngest
from webapp.serve.intake import IntakeClosed, IntakeQueue, PayloadRejected, QueueFull
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_TRACES
from workers.ingest.sink import StorageSink
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions


def queue(capacity: int) -> IntakeQueue:
    return IntakeQueue(capacity, SIGNAL_TOPICS)


def test_capacity_counts_items_until_they_are_committed() -> None:
    q = queue(10)
    first = q.offer(TOPIC_TRACES, b"a", 6)
    second = q.offer(TOPIC_TRACES, b"b", 4)
    with pytest.raises(QueueFull, match="10 of 10 items"):
        q.offer(TOPIC_TRACES, b"c", 1)
    taken = q.poll(0)
    assert [(m.offset, m.value) for m in taken] == [(0, b"a"), (1, b"b")]
    assert q.unstored_items == 10  # polled is not stored
    with pytest.raises(QueueFull):
        q.offer(TOPIC_TRACES, b"c", 1)
    q.commit({(TOPIC_TRACES, -1): 1})
    assert first.result(0) is None
    assert not second.done()
    assert q.unstored_items == 4
    q.offer(TOPIC_TRACES, b"c", 6)
    assert q.refused_requests == 2


def test_a_request_larger_than_the_capacity_is_taken_when_the_queue_is_empty() -> None:
    q = queue(5)
    q.offer(TOPIC_TRACES, b"big", 50)
    with pytest.raises(QueueFull):
        q.offer(TOPIC_TRACES, b"small", 1)


def test_closing_refuses_new_requests_and_draining_waits_for_commits() -> None:
    q = queue(10)
    q.offer(TOPIC_TRACES, b"a", 3)
    q.close()
    with pytest.raises(IntakeClosed):
        q.offer(TOPIC_TRACES, b"b", 1)
    assert q.wait_stored(0.05) is False
    q.poll(0)
    q.commit({(TOPIC_TRACES, -1): 1})
    assert q.wait_stored(0.05) is True


def test_a_rejected_request_fails_its_sender_at_commit() -> None:
    q = queue(10)
    bad = q.offer(TOPIC_TRACES, b"x", 1)
    q.reject(TOPIC_TRACES, 0, "cannot decode traces payload")
    q.commit({(TOPIC_TRACES, -1): 1})
    with pytest.raises(PayloadRejected, match="cannot decode"):
        bad.result(0)


def test_embedded_ingest_acknowledges_after_the_write_and_reports_dead_letters(
    ch_migrated: Client, tmp_path: Path
) -> None:
    q = queue(10_000)
    dead_path = tmp_path / "dead.jsonl"
    dead = FileDeadLetters(dead_path, on_send=lambda m, reason: q.reject(m.topic, m.offset, reason))
    ingest = EmbeddedIngest(q, StorageSink(ClickHouseWriter(ch_migrated), None), dead,
                            options=NormaliseOptions(), batch_rows=50_000, batch_seconds=3600.0)
    ingest.start()
    try:
        spans = genai_traces(5, service="queue-bot")
        good = q.offer(TOPIC_TRACES, payload(spans), len(spans))
        garbage = q.offer(TOPIC_TRACES, b"\xff\xff\xff", 1)
        good.result(timeout=30)  # long before the batch's age limit: an idle poll flushes at once
        with pytest.raises(PayloadRejected, match="ExportTraceServiceRequest"):
            garbage.result(timeout=30)
    finally:
        q.close()
        ingest.stop(30)
    count = ch_migrated.query("SELECT count() FROM spans WHERE service_name = 'queue-bot'").result_rows[0][0]
    assert count == len(spans)
    (line,) = dead_path.read_text().splitlines()
    record = json.loads(line)
    assert (record["topic"], record["offset"], record["payload_base64"]) == (TOPIC_TRACES, 1, "////")
    assert not ingest.failed
