"""The ingest pipeline both entry points build (workers/ingest/pipeline.py): price → content →
notify → write → commit, in that order, and the notifier only when there is someone to tell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
from clickhouse_connect.driver.client import Client

from tests.analysis.cost.prices import usd
from tests.serve.spans import genai_traces, hex_trace_id, payload
from workers.ingest.notify import TRACE_MESSAGE_TYPE, trace_group
from workers.ingest.pipeline import BatchLimits, build_pipeline
from workers.ingest.ports import SourceMessage
from workers.ingest.pricing import SpanPricing
from workers.ingest.settings import SIGNAL_TOPICS
from workers.ingest.sink import StorageSink
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import EmbeddingRecord, NormaliseOptions

TOPIC = next(t for t, s in SIGNAL_TOPICS.items() if s == "traces")
COMMITTED = f"commit {{('{TOPIC}', 0): 42}}"  # the offset after message 41


class Source:
    """Hands out its messages once; records the commits."""

    def __init__(self, messages: list[SourceMessage], events: list[str]) -> None:
        self.messages, self.events = messages, events

    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        out, self.messages = self.messages, []
        return out

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        self.events.append(f"commit {dict(offsets)}")


class Storage:
    """The real storage sink, recording each write it completed."""

    def __init__(self, client: Client, events: list[str]) -> None:
        self.sink, self.events = StorageSink(ClickHouseWriter(client), None), events
        self.tables: list[pa.Table] = []

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        self.sink.write(signal, table, embeddings)
        self.events.append(f"stored {signal}")
        self.tables.append(table)


class DeadLetters:
    def send(self, message: SourceMessage, reason: str) -> None:
        raise AssertionError(f"unexpected dead letter: {reason}")

    def flush(self) -> None:
        pass


def _run(client: Client, events: list[str], publish: Any) -> tuple[Storage, Any, list[Any]]:
    spans = genai_traces(1, model="gpt-4o", project="acme")
    source = Source([SourceMessage(TOPIC, 0, 41, payload(spans))], events)
    storage = Storage(client, events)
    pipeline = build_pipeline(
        source, storage, DeadLetters(), topics=SIGNAL_TOPICS, options=NormaliseOptions(),
        limits=BatchLimits(1000, 60.0, 0), publish=publish, pricing=SpanPricing(),
    )  # fmt: skip
    pipeline.loop.step()
    pipeline.loop.flush_retrying()
    return storage, pipeline, spans


def test_spans_are_priced_stored_announced_then_committed(ch_migrated: Client) -> None:
    events: list[str] = []
    published: list[tuple[str, dict[str, Any]]] = []

    def publish(group: str, message: dict[str, Any]) -> None:
        events.append("announced")
        published.append((group, message))

    storage, pipeline, spans = _run(ch_migrated, events, publish)
    assert events == ["stored traces", "announced", "stored costs", COMMITTED]
    # priced before the write: the stored batch carries the call's cost (gpt-4o: $2.50 / $10 per 1M)
    costs = [c for c in storage.tables[0]["cost_usd"].to_pylist() if c is not None]
    assert costs == [usd(100, "2.50") + usd(20, "10.00")]
    assert [(g, m["type"], m["event"]["payload"]["trace_id"]) for g, m in published] == [
        (trace_group("acme"), TRACE_MESSAGE_TYPE, hex_trace_id(spans[0]))
    ]
    assert pipeline.notifier is not None and pipeline.notifier.published == 1


def test_without_a_publisher_nothing_is_announced_and_everything_is_stored(ch_migrated: Client) -> None:
    events: list[str] = []
    storage, pipeline, _ = _run(ch_migrated, events, None)
    assert pipeline.notifier is None
    assert events == ["stored traces", "stored costs", COMMITTED]
    assert storage.tables[0].num_rows == 2
