"""SDK -> OTLP protobuf -> the ingest loop -> ClickHouse + Qdrant, in the test process.

The exporter encodes spans with the OpenTelemetry exporter's own OTLP encoder (the bytes an OTLP
exporter sends) and offers them to the same intake queue `pyflare serve` uses; `drain` runs the real
ingest loop until everything is stored. No threads: a test decides when data lands.
"""

from __future__ import annotations

from collections.abc import Sequence

from clickhouse_connect.driver.client import Client
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

import pyflare
from webapp.serve.intake import IntakeQueue
from workers.ingest.loop import IngestLoop
from workers.ingest.ports import SourceMessage
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_TRACES
from workers.ingest.sink import StorageSink
from workers.storage.vectors import VectorStore
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions


class QueueExporter(SpanExporter):
    def __init__(self, queue: IntakeQueue) -> None:
        self.queue = queue

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.queue.offer(TOPIC_TRACES, encode_spans(spans).SerializeToString(), len(spans))
        return SpanExportResult.SUCCESS


class DeadLetters:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def send(self, message: SourceMessage, reason: str) -> None:
        self.reasons.append(reason)

    def flush(self) -> None:
        pass


class Pipeline:
    def __init__(self, client: Client, vectors: VectorStore | None, project: str) -> None:
        self.queue = IntakeQueue(10_000_000, SIGNAL_TOPICS)
        self.dead = DeadLetters()
        self.loop = IngestLoop(
            self.queue, StorageSink(ClickHouseWriter(client), vectors), self.dead,
            topics=SIGNAL_TOPICS, options=NormaliseOptions(), batch_max_rows=1_000_000,
        )  # fmt: skip
        pyflare.init(
            service_name="scoring-service", project=project, span_exporter=QueueExporter(self.queue),
            metric_reader=InMemoryMetricReader(), log_exporter=InMemoryLogRecordExporter(), set_global=False,
        )  # fmt: skip

    def drain(self) -> None:
        """Export what the SDK holds and store all of it."""
        pyflare.flush()
        while messages := self.queue.poll(0):
            for message in messages:
                self.loop.add(message)
        self.loop.flush()
        assert not self.dead.reasons, self.dead.reasons

    def close(self) -> None:
        pyflare.shutdown()
