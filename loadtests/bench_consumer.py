"""Consumer throughput: Kafka message bytes → rows in the ClickHouse engine, on ONE core.

Payloads are real OTLP requests (the OpenTelemetry SDK's own encoder), 512 spans each like a
collector batch, spans with ~12 GenAI/pyflare attributes and one event. The ingest loop runs with
its real ClickHouse writer (chdb) and an in-memory message source, so the figure is the
consumer's own cost (the broker's share shows in bench_e2e.py).

    python loadtests/bench_consumer.py [--spans 500000] [--repeat 3]
"""

from __future__ import annotations

import os

os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # before chdb starts its threads: one core

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Mapping, Sequence  # noqa: E402

import pyarrow as pa  # noqa: E402
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans  # noqa: E402
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest  # noqa: E402
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

from workers.ingest.loop import IngestLoop  # noqa: E402
from workers.ingest.ports import SourceMessage  # noqa: E402
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_TRACES  # noqa: E402
from workers.storage.clickhouse import StorageSettings, connect  # noqa: E402
from workers.storage.migrate import apply  # noqa: E402
from workers.storage.writer import ClickHouseWriter  # noqa: E402
from workers.telemetry.batches import EmbeddingRecord, NormaliseOptions  # noqa: E402

SPANS_PER_REQUEST = 512
MODELS = [("openai", "gpt-4o-2024-08-06"), ("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-4o-mini")]


def make_payloads(total: int) -> list[bytes]:
    """Distinct requests of 512 realistic spans; a few hundred distinct ones are recycled with new offsets."""
    distinct = min(total, 100 * SPANS_PER_REQUEST)
    exporter = InMemorySpanExporter()
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": "support-bot", "service.version": "1.4.2", "pyflare.project": "bench",
             "deployment.environment.name": "production", "host.name": "worker-7"}
        )
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.bench")
    for i in range(distinct):
        provider_name, model = MODELS[i % len(MODELS)]
        with tracer.start_as_current_span(f"chat {model}") as span:
            span.set_attributes({
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": provider_name,
                "gen_ai.request.model": model,
                "gen_ai.response.model": model,
                "gen_ai.request.temperature": 0.2,
                "gen_ai.request.max_tokens": 512,
                "gen_ai.usage.input_tokens": 200 + i % 900,
                "gen_ai.usage.output_tokens": 20 + i % 300,
                "gen_ai.response.finish_reasons": ["stop"],
                "gen_ai.response.id": f"chatcmpl-{i:08d}",
                "pyflare.user.id": f"user-{i % 500}",
                "pyflare.feature.id": "ticket-summary",
            })
            span.add_event("gen_ai.choice", {"index": 0, "finish_reason": "stop"})
    provider.shutdown()
    spans = exporter.get_finished_spans()
    unique = [encode_spans(spans[i : i + SPANS_PER_REQUEST]).SerializeToString()
              for i in range(0, len(spans), SPANS_PER_REQUEST)]
    return [unique[i % len(unique)] for i in range(total // SPANS_PER_REQUEST)]


class MemorySource:
    def __init__(self, payloads: Sequence[bytes], per_poll: int = 8) -> None:
        self._messages = [SourceMessage(TOPIC_TRACES, 0, i, p) for i, p in enumerate(payloads)]
        self._pos, self._per_poll = 0, per_poll

    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        out = self._messages[self._pos : self._pos + self._per_poll]
        self._pos += len(out)
        return out

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        pass

    @property
    def exhausted(self) -> bool:
        return self._pos >= len(self._messages)


class TimedWriter:
    """The real ClickHouse writer, timing the Arrow conversion apart from the insert."""

    def __init__(self, writer: ClickHouseWriter) -> None:
        self._writer = writer
        self.insert_seconds = 0.0
        self.rows = 0

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        started = time.perf_counter()
        self._writer.write("spans", table)
        self.insert_seconds += time.perf_counter() - started
        self.rows += table.num_rows


class NoDeadLetters:
    def send(self, message: SourceMessage, reason: str) -> None:
        raise AssertionError(f"benchmark payload rejected: {reason}")

    def flush(self) -> None:
        pass


def run_once(payloads: list[bytes], writer: TimedWriter) -> dict[str, float]:
    source = MemorySource(payloads)
    loop = IngestLoop(source, writer, NoDeadLetters(), topics=SIGNAL_TOPICS, options=NormaliseOptions(),
                      batch_max_rows=50_000, batch_max_seconds=5.0)
    writer.insert_seconds, writer.rows = 0.0, 0
    started = time.perf_counter()
    while not source.exhausted:
        loop.step()
    loop.flush()
    total = time.perf_counter() - started
    parse_started = time.perf_counter()
    for p in payloads:
        ExportTraceServiceRequest.FromString(p)
    parse = time.perf_counter() - parse_started
    spans = writer.rows
    write = loop.stats.write_seconds
    return {
        "spans": spans,
        "seconds": total,
        "spans_per_s": spans / total,
        "parse": parse,
        "normalise": loop.stats.decode_seconds - parse,
        "to_arrow": write - writer.insert_seconds,
        "insert": writer.insert_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    payloads = make_payloads(args.spans)
    settings = StorageSettings(url=f"chdb://{tempfile.mkdtemp(prefix='pyflare-bench-')}",
                               database=f"bench_{uuid.uuid4().hex[:6]}")
    client = connect(settings)
    apply(client, settings)
    writer = TimedWriter(ClickHouseWriter(client))
    print(f"cores used: {sorted(os.sched_getaffinity(0))}; {len(payloads)} requests x {SPANS_PER_REQUEST} spans")
    runs = [run_once(payloads, writer) for _ in range(args.repeat)]
    for i, r in enumerate(runs, 1):
        print(f"run {i}: {r['spans']:.0f} spans in {r['seconds']:.2f}s = {r['spans_per_s']:,.0f} spans/s")
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"median: {med['spans_per_s']:,.0f} spans/s on one core")
    for part in ("parse", "normalise", "to_arrow", "insert"):
        print(f"  {part:9s} {med[part]:6.2f}s  {100 * med[part] / med['seconds']:5.1f}%"
              f"  ({med['spans'] / med[part]:,.0f} spans/s alone)")


if __name__ == "__main__":
    main()
