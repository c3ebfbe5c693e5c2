"""What cost at ingest costs the consumer: bench_consumer's workload with and without pricing.

Same payloads, loop, one core and real ClickHouse writer as loadtests/bench_consumer.py; the only
difference is the writer: `StorageSink` alone, or wrapped in `PricingWriter` (fills
spans.cost_usd and writes a `costs` row per span with usage). Every span of this workload is an
LLM call (the worst case: real traces also hold HTTP, retrieval and tool spans without usage).
Runs alternate between the two so drift on the machine hits both; prints medians.

    python loadtests/bench_ingest_pricing.py [--spans 300000] [--repeat 5]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import argparse
import statistics
import tempfile
import time
import uuid

import bench_consumer

from workers.ingest.loop import IngestLoop
from workers.ingest.ports import BatchWriter
from workers.ingest.pricing import PricingWriter, ProjectBooks, SpanPricing
from workers.ingest.settings import SIGNAL_TOPICS
from workers.ingest.sink import StorageSink
from workers.storage.clickhouse import StorageSettings, connect
from workers.storage.migrate import apply
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions


def run_once(payloads: list[bytes], writer: BatchWriter) -> tuple[float, int, float]:
    source = bench_consumer.MemorySource(payloads)
    loop = IngestLoop(source, writer, bench_consumer.NoDeadLetters(), topics=SIGNAL_TOPICS,
                      options=NormaliseOptions(), batch_max_rows=bench_consumer.BATCH_ROWS,
                      batch_max_seconds=5.0)  # fmt: skip
    started, cpu = time.perf_counter(), time.process_time()
    while not source.exhausted:
        loop.step()
    loop.flush()
    spans = sum(loop.stats.rows.values())
    return time.perf_counter() - started, spans, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    payloads = bench_consumer.make_payloads(args.spans)
    settings = StorageSettings(url=f"chdb://{tempfile.mkdtemp(prefix='pyflare-bench-')}",
                               database=f"bench_{uuid.uuid4().hex[:6]}")  # fmt: skip
    client = connect(settings)
    apply(client, settings)
    sink = StorageSink(ClickHouseWriter(client), None)
    pricing = SpanPricing(ProjectBooks())
    writers: dict[str, BatchWriter] = {"without pricing": sink, "with pricing": PricingWriter(sink, pricing)}
    results: dict[str, list[tuple[float, int, float]]] = {name: [] for name in writers}
    run_once(payloads[:50], sink)  # warm up the engine and the normaliser
    for _ in range(args.repeat):
        for name, writer in writers.items():
            results[name].append(run_once(payloads, writer))
    print(f"cores used: {sorted(os.sched_getaffinity(0))}; {len(payloads)} requests x "
          f"{bench_consumer.SPANS_PER_REQUEST} spans, batches of {bench_consumer.BATCH_ROWS}; every span has usage")
    rates = {}
    for name, runs in results.items():
        rate = statistics.median(spans / seconds for seconds, spans, _ in runs)
        cpu_rate = statistics.median(spans / cpu for _, spans, cpu in runs)
        rates[name] = rate
        print(f"{name:16s} median {rate:,.0f} spans/s (wall), {cpu_rate:,.0f} spans per CPU-second, "
              f"runs: {', '.join(f'{s / t:,.0f}' for t, s, _ in runs)}")
    cost = 1 - rates["with pricing"] / rates["without pricing"]
    print(f"pricing costs {100 * cost:.1f} % of the consumer's spans/s (target <= 5 %); "
          f"priced {pricing.stats.priced:,} spans, unpriced {pricing.stats.unpriced:,}")
    costs = client.query("SELECT count(), uniqExact(span_id) FROM costs").result_rows[0]
    print(f"costs rows written: {costs[0]:,} ({costs[1]:,} distinct spans: the workload recycles 100 requests)")


if __name__ == "__main__":
    main()
