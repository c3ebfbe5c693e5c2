"""The ingest path the tests drive: OTLP payloads → IngestLoop → pricing → StorageSink → chdb."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clickhouse_connect.driver.client import Client

from workers.ingest.loop import IngestLoop
from workers.ingest.ports import SourceMessage
from workers.ingest.pricing import PricingWriter, ProjectBooks, SpanPricing
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_TRACES
from workers.ingest.sink import StorageSink
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions


class ListSource:
    def __init__(self, payloads: Sequence[bytes]) -> None:
        self._messages = [SourceMessage(TOPIC_TRACES, 0, i, p) for i, p in enumerate(payloads)]
        self.committed: dict[tuple[str, int], int] = {}

    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        out, self._messages = self._messages, []
        return out

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        self.committed.update(offsets)


class RefuseDeadLetters:
    def send(self, message: SourceMessage, reason: str) -> None:
        raise AssertionError(f"test payload was dead-lettered: {reason}")

    def flush(self) -> None:
        pass


def ingest(client: Client, payloads: Sequence[bytes], pricing: SpanPricing | None = None) -> SpanPricing:
    """Run the real loop over `payloads` until everything is written and committed."""
    pricing = pricing or SpanPricing(ProjectBooks())
    source = ListSource(payloads)
    loop = IngestLoop(source, PricingWriter(StorageSink(ClickHouseWriter(client), None), pricing),
                      RefuseDeadLetters(), topics=SIGNAL_TOPICS, options=NormaliseOptions())  # fmt: skip
    loop.step()
    loop.flush()
    assert source.committed == {(TOPIC_TRACES, 0): len(payloads)}
    return pricing
