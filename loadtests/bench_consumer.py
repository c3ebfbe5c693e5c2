"""Consumer throughput: Kafka message bytes → rows in the ClickHouse engine, on ONE core.

Payloads are real OTLP requests (the OpenTelemetry SDK's own encoder), 512 spans each like a
collector batch: bench_normalise's `genai` spans (12 GenAI attributes, one event). The ingest loop runs with
its real ClickHouse writer (chdb) and an in-memory message source, so the figure is the
consumer's own cost (the broker's share shows in bench_e2e.py). Runs alternate between the compiled
decoder (native/) and the Python normaliser alone (PYFLARE_NATIVE=0), the baseline, in this process.

    python loadtests/bench_consumer.py [--spans 500000] [--repeat 3] [--workload genai|content|http]
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
from bench_normalise import make_payloads as genai_payloads  # noqa: E402
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest  # noqa: E402

from workers.ingest.loop import IngestLoop  # noqa: E402
from workers.ingest.ports import SourceMessage  # noqa: E402
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_TRACES  # noqa: E402
from workers.storage.clickhouse import StorageSettings, connect  # noqa: E402
from workers.storage.migrate import apply  # noqa: E402
from workers.storage.writer import ClickHouseWriter  # noqa: E402
from workers.telemetry.batches import EmbeddingRecord, NormaliseOptions  # noqa: E402

SPANS_PER_REQUEST = 512
DISTINCT_REQUESTS = 100
BATCH_ROWS = int(os.environ.get("PYFLARE_INGEST_BATCH_ROWS", "50000"))


def make_payloads(total: int, workload: str = "genai") -> list[bytes]:
    """A workload of bench_normalise (`genai`: 12 GenAI attributes and one event per span), 512 spans per
    request; 100 distinct requests are recycled up to `total` spans."""
    distinct = min(DISTINCT_REQUESTS, max(1, total // SPANS_PER_REQUEST))
    unique = genai_payloads(workload, distinct, SPANS_PER_REQUEST)
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


def run_once(payloads: list[bytes], writer: TimedWriter, native: bool) -> dict[str, float]:
    os.environ["PYFLARE_NATIVE"] = "1" if native else "0"  # read when the loop makes its batches
    source = MemorySource(payloads)
    loop = IngestLoop(source, writer, NoDeadLetters(), topics=SIGNAL_TOPICS, options=NormaliseOptions(),
                      batch_max_rows=BATCH_ROWS, batch_max_seconds=5.0)
    writer.insert_seconds, writer.rows = 0.0, 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while not source.exhausted:
        loop.step()
    loop.flush()
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # every thread of the process, chdb's included
    parse = 0.0  # the compiled decoder reads the protobuf itself
    if not native:  # the share of upb's parse in the Python path
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
        "spans_per_cpu_s": spans / cpu,
        "parse": parse,
        "normalise": loop.stats.decode_seconds - parse,
        "to_arrow": write - writer.insert_seconds,
        "insert": writer.insert_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workload", choices=["genai", "content", "http"], default="genai")
    args = parser.parse_args()

    payloads = make_payloads(args.spans, args.workload)
    settings = StorageSettings(url=f"chdb://{tempfile.mkdtemp(prefix='pyflare-bench-')}",
                               database=f"bench_{uuid.uuid4().hex[:6]}")
    client = connect(settings)
    apply(client, settings)
    writer = TimedWriter(ClickHouseWriter(client))
    print(f"cores used: {sorted(os.sched_getaffinity(0))}; {len(payloads)} requests x {SPANS_PER_REQUEST} spans"
          f" ({args.workload})")
    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for i in range(args.repeat):
        for native in (True, False):
            r = run_once(payloads, writer, native)
            runs[native].append(r)
            print(f"run {i + 1} {'native' if native else 'python'}: {r['spans']:.0f} spans in {r['seconds']:.2f}s"
                  f" = {r['spans_per_s']:,.0f} spans/s ({r['spans_per_cpu_s']:,.0f} per CPU-second)")
    medians = {}
    for native in (True, False):
        med = medians[native] = {k: statistics.median(r[k] for r in runs[native]) for k in runs[native][0]}
        print(f"{'native' if native else 'python'} median: {med['spans_per_s']:,.0f} spans/s on one core (wall clock,"
              f" load {os.getloadavg()[0]:.2f}); {med['spans_per_cpu_s']:,.0f} spans per CPU-second")
        for part in ("parse", "normalise", "to_arrow", "insert"):
            if med[part]:
                print(f"  {part:9s} {med[part]:6.2f}s  {100 * med[part] / med['seconds']:5.1f}%"
                      f"  {1e6 * med[part] / med['spans']:5.2f} µs/span")
    print(f"native / python: {medians[True]['spans_per_s'] / medians[False]['spans_per_s']:.2f}x")


if __name__ == "__main__":
    main()
