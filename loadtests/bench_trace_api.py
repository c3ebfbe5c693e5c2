"""Trace API latency at ~1M spans (100k traces over 7 days) in embedded mode (chdb), measured
in-process through the Django app (DRF test client, API key auth, RBAC, JSON rendering).

    python loadtests/bench_trace_api.py [--traces 100000] [--requests 200] [--threads 2,4,8]

Prints, per request kind, sequential median/p95 and, for 2/4/8 concurrent callers (threads, one
client each), p95, median and requests/s. Targets from the issue: list p95 <= 100 ms, detail p95
<= 50 ms. `--data-dir DIR` keeps/reuses the loaded data; `--optimize` merges parts first.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# --data-dir reuses a directory loaded by an earlier run (it must be known before Django starts)
_reuse = sys.argv[sys.argv.index("--data-dir") + 1] if "--data-dir" in sys.argv else None
data_dir = Path(_reuse) if _reuse else Path(tempfile.mkdtemp(prefix="pyflare-bench-traces-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ["PYFLARE_DATA_DIR"] = str(data_dir)
os.environ["PYFLARE_CLICKHOUSE_URL"] = f"chdb://{data_dir / 'clickhouse'}"
os.environ.setdefault("PYFLARE_ALLOWED_HOSTS", "testserver")
sys.path.insert(0, str(Path(__file__).parent))

import django  # noqa: E402

django.setup()

import trace_corpus  # noqa: E402
from clickhouse_connect.driver.client import Client  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from webapp.apikeys.models import ApiKey  # noqa: E402
from webapp.projects.models import Project  # noqa: E402
from workers.storage import migrate  # noqa: E402
from workers.storage.clickhouse import StorageSettings, connect  # noqa: E402

DAY_NS = 86_400 * 10**9


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


# Phase 1 of the trace list (pick 50 trace ids) from either source, over all 7 days.
SOURCES = {
    "newest": (
        "SELECT trace_id, min(start_time) AS k FROM trace_summary WHERE project = 'bench' GROUP BY trace_id",
        "SELECT trace_id, min(start_time) AS k FROM spans WHERE project = 'bench' GROUP BY trace_id",
    ),
    "slowest": (
        "SELECT trace_id, max(end_time) - min(start_time) AS k FROM trace_summary WHERE project = 'bench'"
        " GROUP BY trace_id",
        "SELECT trace_id, max(end_time) - min(start_time) AS k FROM spans WHERE project = 'bench' GROUP BY trace_id",
    ),
    "with errors": (
        "SELECT trace_id, min(start_time) AS k FROM trace_summary WHERE project = 'bench' GROUP BY trace_id"
        " HAVING arrayExists(s -> s.is_error = 1, groupUniqArrayMerge(span_set))",
        "SELECT trace_id, min(start_time) AS k FROM spans FINAL WHERE project = 'bench' GROUP BY trace_id"
        " HAVING countIf(status_code = 'error') > 0",
    ),
    "costliest": (
        "SELECT trace_id, arraySort(groupUniqArrayIfMerge(usage)) AS us, arraySum(u -> u.5,"
        " arrayFilter((u, i) -> i = 1 OR u.1 != us[i - 1].1, us, arrayEnumerate(us))) AS k"
        " FROM trace_summary WHERE project = 'bench' GROUP BY trace_id",
        "SELECT trace_id, sum(ifNull(cost_usd, 0)) AS k FROM spans FINAL WHERE project = 'bench' GROUP BY trace_id",
    ),
}


def compare_sources(client: Client, repeat: int = 15) -> None:
    print("\nphase 1 source, 7 days, 50 ids (median ms)   trace_summary   spans (FINAL where exactness needs it)")
    for label, (summary_sql, spans_sql) in SOURCES.items():
        medians = []
        for sql in (summary_sql, spans_sql):
            query = f"SELECT trace_id FROM ({sql}) ORDER BY k DESC, trace_id DESC LIMIT 50"
            medians.append(statistics.median(timed(lambda q=query: client.query(q)) for _ in range(repeat)))
        print(f"  {label:42} {medians[0]:13.1f} {medians[1]:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="per request kind, sequential")
    parser.add_argument("--threads", default="2,4,8", help="concurrent caller counts to measure, comma-separated")
    parser.add_argument("--concurrent-requests", type=int, default=800)
    parser.add_argument("--data-dir", help="reuse (or create and keep) this data directory")
    parser.add_argument("--optimize", action="store_true", help="merge all parts first (OPTIMIZE ... FINAL)")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    storage = StorageSettings.from_env()
    client = connect(storage)
    migrate.apply(client, storage)
    started = time.perf_counter()
    if Project.objects.filter(slug="bench").exists():
        corpus = trace_corpus.describe(client, "bench")
        print(f"reusing {corpus.spans:,} spans / {corpus.traces:,} traces in {data_dir}")
    else:
        corpus = trace_corpus.load(client, "bench", args.traces)
        trace_corpus.load(client, "neighbour", args.traces // 10, seed=11)  # another project's rows
        print(f"loaded {corpus.spans:,} spans / {corpus.traces:,} traces in {time.perf_counter() - started:.1f} s")
    if args.optimize:
        for table in ("spans", "trace_summary"):
            client.command(f"OPTIMIZE TABLE {table} FINAL")
    parts = client.query(
        "SELECT table, count(), sum(rows) FROM system.parts WHERE database = currentDatabase() AND active "
        "GROUP BY table ORDER BY table"
    ).result_rows
    print("active parts:", ", ".join(f"{t}={n} ({r:,} rows)" for t, n, r in parts))

    compare_sources(client)
    project, _ = Project.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    _key, plaintext = ApiKey.issue(project=project, name="bench", role="developer")

    def api() -> APIClient:
        c = APIClient()
        c.credentials(HTTP_X_API_KEY=plaintext)
        return c

    day_ago = corpus.end_ns - DAY_NS
    first = api().get("/api/v1/traces?limit=50").json()
    lists = {
        "list newest": "/api/v1/traces?limit=50",
        "list newest, page 2": f"/api/v1/traces?limit=50&cursor={first['next_cursor']}",
        "list 24h service+errors": f"/api/v1/traces?limit=50&start_time={day_ago}&service=search-api&status=error",
        "list 24h slowest": f"/api/v1/traces?limit=50&start_time={day_ago}&sort=duration",
        "list 24h costliest gpt-4o": f"/api/v1/traces?limit=50&start_time={day_ago}&sort=cost&model_id=gpt-4o",
        "list attr+env newest": "/api/v1/traces?limit=50&attr.customer.tier=enterprise&environment=staging",
        "list 24h text": f"/api/v1/traces?limit=50&start_time={day_ago}&q=refund%20policy",
        "list 7d slowest": "/api/v1/traces?limit=50&sort=duration",
    }
    rng = random.Random(3)
    detail_ids = [rng.choice(corpus.trace_ids) for _ in range(max(args.requests, args.concurrent_requests))]

    seq = api()
    for path in lists.values():  # warm-up and sanity
        response = seq.get(path)
        assert response.status_code == 200, (path, response.content[:300])
    print(f"\nsequential ({args.requests} requests each)          median ms    p95 ms")
    for label, path in lists.items():
        samples = [timed(lambda p=path: seq.get(p)) for _ in range(args.requests)]
        print(f"  {label:40} {statistics.median(samples):9.1f} {percentile(samples, 0.95):9.1f}")
    samples = [timed(lambda t=t: seq.get(f"/api/v1/traces/{t}")) for t in detail_ids[: args.requests]]
    print(f"  {'detail (random trace)':40} {statistics.median(samples):9.1f} {percentile(samples, 0.95):9.1f}")

    local = threading.local()

    def own_client() -> APIClient:
        if not hasattr(local, "client"):
            local.client = api()
        return local.client

    kinds = {
        "trace list (mix of the lists above)": [lists[k] for k in lists if k != "list 7d slowest"],
        "trace list, 7d slowest only": [lists["list 7d slowest"]],
        "trace detail (random traces)": [f"/api/v1/traces/{t}" for t in detail_ids],
    }
    print(f"\nload average before the concurrent runs: {os.getloadavg()[0]:.2f} (other processes share the cores)")
    print(
        f"concurrent callers ({args.concurrent_requests} requests each)  callers   p95 ms  median ms"
        "    req/s  CPU ms/req"
    )
    for label, paths in kinds.items():
        work = [paths[i % len(paths)] for i in range(args.concurrent_requests)]
        for threads in [int(t) for t in args.threads.split(",")]:
            latencies: list[float] = []

            def call(i: int, work: list[str] = work, latencies: list[float] = latencies) -> None:
                latencies.append(timed(lambda: own_client().get(work[i])))

            with ThreadPoolExecutor(threads) as pool:
                cpu, wall = os.times(), time.perf_counter()
                list(pool.map(call, range(len(work))))
                wall, after = time.perf_counter() - wall, os.times()
            # this process's CPU per request: what the request costs, whatever else runs on the box
            cpu_ms = ((after.user - cpu.user) + (after.system - cpu.system)) * 1000 / len(work)
            print(
                f"  {label:40} {threads:6} {percentile(latencies, 0.95):8.1f} {statistics.median(latencies):10.1f}"
                f" {len(work) / wall:8.1f} {cpu_ms:11.1f}"
            )


if __name__ == "__main__":
    main()
