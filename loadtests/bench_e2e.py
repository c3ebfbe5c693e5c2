"""End to end on this machine: telemetrygen → stock collector → Kafka → `pyflare ingest` → ClickHouse.

Phase 1 (throughput): telemetrygen sends ~10,000 spans/s for 60 s; the consumer must keep up
(lag sampled every second) and store every span (zero loss, counted with FINAL).
Phase 2 (latency): 2,000 spans/s for 30 s with the generator's batching off, so a span's end time
is its export time; latency = time the row became queryable (`_ingested_at`) minus export time.

    python loadtests/bench_e2e.py [--rate 10000] [--seconds 60] [--latency-rate 2000] [--latency-seconds 30]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.chdb_query import query_in_subprocess  # noqa: E402
from tests.support.kafka import committed, end_offsets, start_group_at_end  # noqa: E402
from workers.ingest.kafka import ensure_topics  # noqa: E402
from workers.ingest.settings import TOPIC_TRACES, IngestSettings  # noqa: E402

SPAN_ATTRIBUTES = [
    'gen_ai.operation.name="chat"',
    'gen_ai.provider.name="openai"',
    'gen_ai.request.model="gpt-4o"',
    'gen_ai.response.model="gpt-4o-2024-08-06"',
    "gen_ai.usage.input_tokens=812",
    "gen_ai.usage.output_tokens=64",
    "gen_ai.request.max_tokens=512",
    'gen_ai.response.id="chatcmpl-1"',
    'pyflare.user.id="user-42"',
    'pyflare.feature.id="ticket-summary"',
]


def stack_env(*components: str) -> dict[str, str]:
    out = subprocess.run(
        [str(ROOT / "deploy/local/stack"), "up", *components], check=True, capture_output=True, text=True
    ).stdout
    return dict(re.findall(r"^export (\w+)=['\"]?([^'\"\n]*)['\"]?$", out, re.M))


def telemetrygen(endpoint: str, service: str, project: str, key: str, rate: float, seconds: int, *,
                 batch: bool) -> int:  # fmt: skip
    """Runs telemetrygen; returns the number of spans it generated (traces x 2: a parent and a child)."""
    binary = subprocess.run(
        [str(ROOT / "deploy/local/stack"), "tool", "telemetrygen"], check=True, capture_output=True, text=True
    ).stdout.strip()
    # telemetrygen's --rate counts spans per worker, paced by a limiter that sleeps before each span;
    # a sleep overshoots by a roughly fixed amount, so many slow workers keep closer to the rate
    # than a few fast ones (8 x 1,250/s delivered ~8,800/s in all; 20 x 500/s keeps to it).
    workers = max(1, min(32, int(rate // 500)))
    per_worker_spans = rate / workers
    cmd = [
        binary,
        "traces",
        "--otlp-endpoint",
        endpoint,
        "--otlp-insecure",
        "--workers",
        str(workers),
        "--rate",
        f"{per_worker_spans:.1f}",
        "--duration",
        f"{seconds}s",
        "--child-spans",
        "1",
        "--service",
        service,
        "--otlp-attributes",
        f'pyflare.project="{project}"',
        "--otlp-header",  # the ingest key, passed through by the collector and checked by the consumer
        f'x-api-key="{key}"',
        f"--batch={str(batch).lower()}",
        # The OTel SDK's own export batch (512) rather than telemetrygen's 100: five times fewer export
        # calls, so the generator's span queue (2,048) does not overflow while it shares the CPU.
        "--batch-size",
        "512",
    ]
    for attribute in SPAN_ATTRIBUTES:
        cmd += ["--telemetry-attributes", attribute]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    traces = sum(int(n) for n in re.findall(r'traces generated\s+\{"worker": \d+, "traces": (\d+)\}', out.stderr))
    if out.returncode != 0 or traces == 0:
        raise RuntimeError(f"telemetrygen failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return traces * 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=10_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--latency-rate", type=float, default=2_000)
    parser.add_argument("--latency-seconds", type=int, default=30)
    args = parser.parse_args()

    env = stack_env("kafka", "otelcol")
    brokers = env["PYFLARE_KAFKA_BROKERS"]
    grpc = env["PYFLARE_OTLP_GRPC_ENDPOINT"].removeprefix("http://")
    run = uuid.uuid4().hex[:8]
    group = f"bench-e2e-{run}"
    settings = IngestSettings(brokers=brokers, group_id=group)
    ensure_topics(settings)
    start_group_at_end(brokers, group, settings.topics)

    workdir = Path(tempfile.mkdtemp(prefix="pyflare-e2e-"))
    url = f"chdb://{workdir / 'clickhouse'}"
    log_path = workdir / "ingest.log"
    consumer_env = {
        **os.environ,
        "PYFLARE_KAFKA_BROKERS": brokers,
        "PYFLARE_INGEST_GROUP": group,
        "PYFLARE_CLICKHOUSE_URL": url,
        "PYFLARE_DATA_DIR": str(workdir / "data"),
        "PYFLARE_INGEST_BATCH_SECONDS": "0.5",
        "PYFLARE_INGEST_STATS_SECONDS": "5",
    }
    project = f"bench-{run}"
    cli = [sys.executable, "-m", "webapp.cli"]
    subprocess.run([*cli, "projects", "create", project], env=consumer_env, check=True, capture_output=True)
    key = subprocess.run([*cli, "keys", "create", "--project", project, "--role", "ingest"], env=consumer_env,
                         check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    with log_path.open("wb") as log:
        consumer = subprocess.Popen(
            [sys.executable, "-m", "webapp.cli", "ingest"], env=consumer_env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        while "consuming" not in log_path.read_text():
            if consumer.poll() is not None:
                raise RuntimeError(log_path.read_text())
            time.sleep(0.2)

        lags: list[int] = []
        sampling = threading.Event()

        def sample_lag() -> None:
            while not sampling.wait(1.0):
                ends = end_offsets(brokers, [TOPIC_TRACES])
                done = committed(brokers, group)
                lags.append(sum(max(0, end - done.get(tp, end)) for tp, end in ends.items()))

        sampler = threading.Thread(target=sample_lag, daemon=True)
        sampler.start()
        started = time.monotonic()
        sent = telemetrygen(grpc, f"tp-{run}", project, key, args.rate, args.seconds, batch=True)
        generated_for = time.monotonic() - started
        caught_up = wait_caught_up(brokers, group, settings)
        sampling.set()
        print(
            f"throughput: generator sent {sent:,} spans in {generated_for:.1f}s = {sent / generated_for:,.0f} spans/s;"
            f" consumer caught up {caught_up:.1f}s after the generator stopped"
        )
        if lags:
            print(
                f"  Kafka lag (records) sampled each second: median {statistics.median(lags):,.0f}, max {max(lags):,}"
            )

        latency_sent = telemetrygen(
            grpc, f"lat-{run}", project, key, args.latency_rate, args.latency_seconds, batch=False
        )
        wait_caught_up(brokers, group, settings)
    finally:
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(timeout=120)

    [[stored, distinct]] = query_in_subprocess(
        url,
        "pyflare",
        f"SELECT (SELECT count() FROM spans FINAL WHERE service_name = 'tp-{run}'),"
        f" uniqExact(span_id) FROM spans WHERE service_name = 'tp-{run}'",
    )
    print(f"  stored {stored:,} of {sent:,} spans (distinct span ids {distinct:,}): loss = {sent - stored:,}")
    [[lat_stored, p50, p99, worst]] = query_in_subprocess(
        url,
        "pyflare",
        "SELECT count(), quantileExact(0.5)(ms), quantileExact(0.99)(ms), max(ms) FROM ("
        " SELECT dateDiff('millisecond', end_time, _ingested_at) AS ms FROM spans FINAL"
        f" WHERE service_name = 'lat-{run}')",
    )
    print(
        f"latency at {args.latency_rate:,.0f} spans/s: {lat_stored:,} of {latency_sent:,} spans stored;"
        f" export→queryable p50 {p50} ms, p99 {p99} ms, max {worst} ms"
    )
    print(f"consumer log: {log_path}")
    shutil.rmtree(workdir / "data", ignore_errors=True)


def wait_caught_up(brokers: str, group: str, settings: IngestSettings, timeout: float = 300) -> float:
    """Seconds until the group's committed offsets reach the end offsets of the traces topic."""
    started = time.monotonic()
    time.sleep(1.0)  # let the collector's batch and queue reach Kafka
    while time.monotonic() - started < timeout:
        ends = end_offsets(brokers, [TOPIC_TRACES])
        done = committed(brokers, group)
        if all(done.get(tp, -1) >= end for tp, end in ends.items()):
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError("the consumer did not catch up")


if __name__ == "__main__":
    main()
