"""Cost API latency over 30 days of 10M LLM spans, answered from the hourly rollup (target <= 200 ms).

Generates the spans' `costs` rows directly (priced by the real pricer, Arrow inserts into chdb):
a realistic mix of ~20 models over 8 providers (3 % unknown models), 2,000 users (Zipf), 25 features,
6 teams, 3 environments and one custom dimension. Then settles the rollup and times the API through
Django's full request path (API-key auth, RBAC, query, JSON): summary, grouped summaries, breakdowns.
Prints medians and p95 per endpoint, plus the same summary from `costs FINAL` for contrast. Grouping
by two attribution dimensions at once has no rollup and reads `costs FINAL` (shown for reference).

    python loadtests/bench_costs_api.py [--spans 10000000] [--days 30] [--runs 25]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

MODELS = [  # (weight, provider, model)
    (0.20, "openai", "gpt-4o-mini"), (0.08, "openai", "gpt-4o-mini-2024-07-18"), (0.10, "openai", "gpt-4o"),
    (0.04, "openai", "gpt-4o-2024-08-06"), (0.04, "openai", "o3-mini"), (0.05, "openai", "gpt-4.1"),
    (0.03, "openai", "gpt-4.1-nano"), (0.08, "anthropic", "claude-3-5-sonnet-20241022"),
    (0.06, "anthropic", "claude-sonnet-4-5-20250929"), (0.04, "anthropic", "claude-3-5-haiku-latest"),
    (0.04, "aws.bedrock", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"), (0.06, "gcp.gemini", "gemini-2.0-flash"),
    (0.03, "gcp.vertex_ai", "gemini-2.5-pro"), (0.04, "azure.ai.openai", "prod-gpt-4o-mini-eastus"),
    (0.02, "mistral_ai", "mistral-large-latest"), (0.02, "cohere", "command-r-08-2024"),
    (0.02, "mistral_ai", "mistral-small-latest"), (0.02, "gcp.gemini", "gemini-2.5-flash"),
    (0.03, "openai", "ft:gpt-4o-mini:acme:support"),  # unknown: unpriced
]  # fmt: skip
CHUNK = 1_000_000


def setup_environment(data: Path) -> None:
    os.environ.update({"PYFLARE_DATA_DIR": str(data), "PYFLARE_SECRET_KEY": secrets.token_urlsafe(50),
                       "PYFLARE_ALLOWED_HOSTS": "testserver,localhost", "PYFLARE_COST_DIMENSIONS": "customer.tier",
                       "DJANGO_SETTINGS_MODULE": "webapp.settings", "PYFLARE_LOG_LEVEL": "WARNING"})  # fmt: skip


def generate(client: object, project: str, spans: int, days: int, seed: int = 7) -> float:
    from workers.analysis.cost import default_book
    from workers.storage.costs.priced import price_usage

    rng = np.random.default_rng(seed)
    weights = np.array([w for w, _, _ in MODELS])
    weights /= weights.sum()
    users = np.array([f"user{i:04d}@example.com" for i in range(2000)])
    user_p = 1 / np.arange(1, 2001) ** 1.1
    user_p /= user_p.sum()
    end = time.time_ns()
    start = end - days * 86_400 * 10**9
    started = time.monotonic()
    for offset in range(0, spans, CHUNK):
        n = min(CHUNK, spans - offset)
        pick = rng.choice(len(MODELS), n, p=weights)
        inp = rng.lognormal(6.8, 1.1, n).astype(np.uint32) + 1
        out = rng.lognormal(5.2, 0.9, n).astype(np.uint32) + 1
        ids = rng.integers(0, 2**63, (n, 3), dtype=np.int64)
        rows = pa.table({
            "project": pa.array(np.full(n, project)),
            "start_time": pa.array(np.sort(rng.integers(start, end, n)), pa.timestamp("ns", tz="UTC")),
            "trace_id": pa.array(np.char.add(np.char.mod("%016x", ids[:, 0]), np.char.mod("%016x", ids[:, 1]))),
            "span_id": pa.array(np.char.mod("%016x", ids[:, 2])),
            "model_id": pa.array([MODELS[i][2] for i in range(len(MODELS))]).take(pa.array(pick)),
            "provider": pa.array([MODELS[i][1] for i in range(len(MODELS))]).take(pa.array(pick)),
            "input_hash": pa.array(np.where(rng.random(n) < 0.05, "abc" * 10, "")),
            "input_tokens": pa.array(inp), "output_tokens": pa.array(out),
            "cache_read_tokens": pa.array(np.where(rng.random(n) < 0.3, inp // 2, 0).astype(np.uint32)),
            "cache_creation_tokens": pa.array(np.zeros(n, dtype=np.uint32)),
            "reasoning_tokens": pa.array(np.where(pick == 4, out // 2, 0).astype(np.uint32)),
            "user_id": pa.array(users[rng.choice(2000, n, p=user_p)]),
            "feature_id": pa.array(np.char.mod("feature-%02d", rng.integers(0, 25, n))),
            "team": pa.array(np.char.mod("team-%d", rng.integers(0, 6, n))),
            "environment": pa.array(rng.choice(["prod", "staging", "dev"], n, p=[0.8, 0.15, 0.05])),
            "dimensions": pa.array([[("customer.tier", t)] for t in rng.choice(["gold", "silver", "free"], n)],
                                   pa.map_(pa.string(), pa.string())),
        })  # fmt: skip
        priced = price_usage(rows, lambda _p: default_book(), (), time.time_ns())
        client.insert_arrow("costs", priced.costs, settings={"optimize_on_insert": 0})  # type: ignore[attr-defined]
        print(f"  {offset + n:,} spans", flush=True)
    return time.monotonic() - started


def timed(fn: object, runs: int) -> tuple[float, float]:
    for _ in range(3):
        fn()  # type: ignore[operator]
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--data-dir", type=Path, help="keep the generated data here and reuse it on the next run")
    args = parser.parse_args()
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="pyflare-bench-costs-"))
    reuse = (data / "control.sqlite3").exists()
    data.mkdir(parents=True, exist_ok=True)
    setup_environment(data)
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from webapp.apikeys.models import ApiKey
    from webapp.projects.models import Project
    from workers.storage import migrate
    from workers.storage.clickhouse import StorageSettings, connect
    from workers.storage.costs import rollup

    call_command("migrate", verbosity=0)
    project, _ = Project.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    _key, plaintext = ApiKey.issue(project=project, name="bench", role="admin")
    storage = StorageSettings.from_env()
    client = connect(storage)
    migrate.apply(client, storage)

    generate_s = 0.0
    if not reuse:
        print(f"generating {args.spans:,} spans over {args.days} days (priced by the real pricer)")
        generate_s = generate(client, "bench", args.spans, args.days)
    settled = rollup.settle(client)
    rollup_rows = client.query("SELECT count() FROM costs_hourly").result_rows[0][0]
    print(f"generated in {generate_s:.0f}s; settle rebuilt {len(settled.days)} days in {settled.seconds:.1f}s; "
          f"rollup holds {rollup_rows:,} rows ({args.spans / max(1, rollup_rows):.1f} spans per row)")  # fmt: skip

    api = APIClient()
    api.credentials(HTTP_X_API_KEY=plaintext)
    window = {"start_time": str(time.time_ns() - args.days * 86_400 * 10**9), "end_time": str(time.time_ns())}

    def call(path: str, **params: object) -> None:
        response = api.get(path, {**window, **params})
        assert response.status_code == 200, response.content[:300]

    cases = {
        "GET /costs (summary, 30 days)": lambda: call("/api/v1/costs"),
        "GET /costs?group_by=model": lambda: call("/api/v1/costs", group_by="model"),
        "GET /costs?group_by=day&group_by=model": lambda: call("/api/v1/costs", group_by=["day", "model"]),
        "GET /costs?group_by=team&group_by=environment (2 dims)": lambda: call("/api/v1/costs",
                                                                      group_by=["team", "environment"]),
        "GET /costs/breakdown?dimension=model": lambda: call("/api/v1/costs/breakdown", dimension="model"),
        "GET /costs/breakdown?dimension=user": lambda: call("/api/v1/costs/breakdown", dimension="user"),
        "GET /costs/breakdown?dimension=dim.customer.tier": lambda: call("/api/v1/costs/breakdown",
                                                                        dimension="dim.customer.tier"),
    }  # fmt: skip
    print(f"{'endpoint':52s} {'median':>9s} {'p95':>9s}   (target <= 200 ms; {args.runs} runs, chdb, "
          f"{len(os.sched_getaffinity(0))} cores)")  # fmt: skip
    for name, fn in cases.items():
        median, p95 = timed(fn, args.runs)
        print(f"{name:52s} {median:7.1f}ms {p95:7.1f}ms")
    final = lambda: client.query(  # noqa: E731
        "SELECT model_id, sum(total_cost_usd) FROM costs FINAL WHERE project = 'bench' GROUP BY model_id",
        settings={"do_not_merge_across_partitions_select_final": 1})  # fmt: skip
    median, p95 = timed(final, 5)
    print(f"{'contrast: the same by-model totals from costs FINAL':52s} {median:7.1f}ms {p95:7.1f}ms")


if __name__ == "__main__":
    main()
