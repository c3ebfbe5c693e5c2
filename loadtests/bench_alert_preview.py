"""The rule editor's preview (POST /api/v1/alerts/rules/preview) over a day of spans: latency through
Django's full request path (API-key auth, RBAC, validation, ClickHouse, JSON), median and p95 per
rule shape. The editor refetches the preview 400 ms after each config change, so it should answer
well under a second on a busy project.

Spans are generated straight into chdb (Arrow inserts): 12 models, 6 services, 5 % errors, lognormal
latencies, spread over the last 24 hours.

Baseline, same process and data: the same windows read with one condition per window (what the
preview did before evenly spaced windows got their arithmetic window index).

    python loadtests/bench_alert_preview.py [--spans 2000000] [--runs 15]
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

CHUNK = 500_000
SHAPES = {
    "error_rate > 0.05 / 5m, all models": {"rule_type": "threshold", "config": {
        "metric": "error_rate", "operator": ">", "value": 0.05, "window": "5m"}},
    "latency_p95_ms > 2000 / 5m, by model": {"rule_type": "threshold", "config": {
        "metric": "latency_p95_ms", "operator": ">", "value": 2000, "window": "5m", "group_by": ["model_id"]}},
    "request_count by model+service / 1h": {"rule_type": "threshold", "config": {
        "metric": "request_count", "operator": ">", "value": 1000, "window": "1h",
        "group_by": ["model_id", "service"]}},
    "pattern status_message ~ timeout / 5m": {"rule_type": "pattern", "config": {
        "source": "spans", "field": "status_message", "pattern": ".*timeout.*", "operator": ">", "value": 5,
        "window": "5m"}},
}  # fmt: skip


def generate(client: object, project: str, spans: int, seed: int = 11) -> float:
    rng = np.random.default_rng(seed)
    end = time.time_ns()
    start = end - 86_400 * 10**9
    started = time.monotonic()
    for offset in range(0, spans, CHUNK):
        n = min(CHUNK, spans - offset)
        begins = np.sort(rng.integers(start, end, n))
        durations = (rng.lognormal(6.2, 0.8, n) * 1e6).astype(np.int64)
        errors = rng.random(n) < 0.05
        ids = rng.integers(0, 2**63, (n, 3), dtype=np.int64)
        table = pa.table({
            "project": pa.array(np.full(n, project)),
            "trace_id": pa.array(np.char.add(np.char.mod("%016x", ids[:, 0]), np.char.mod("%016x", ids[:, 1]))),
            "span_id": pa.array(np.char.mod("%016x", ids[:, 2])),
            "name": pa.array(np.full(n, "chat")),
            "start_time": pa.array(begins, pa.timestamp("ns", tz="UTC")),
            "end_time": pa.array(begins + durations, pa.timestamp("ns", tz="UTC")),
            "duration_ns": pa.array(durations.astype(np.uint64)),
            "service_name": pa.array(np.char.mod("svc-%d", rng.integers(0, 6, n))),
            "model_id": pa.array(np.char.mod("model-%02d", rng.integers(0, 12, n))),
            "status_code": pa.array(np.where(errors, "error", "ok")),
            "status_message": pa.array(np.where(errors, np.where(rng.random(n) < 0.3, "upstream timeout", "boom"), "")),
            "input_tokens": pa.array(rng.integers(10, 2000, n).astype(np.uint32)),
            "output_tokens": pa.array(rng.integers(5, 500, n).astype(np.uint32)),
        })  # fmt: skip
        client.insert_arrow("spans", table)  # type: ignore[attr-defined]
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="pyflare-bench-preview-"))
    os.environ.update({"PYFLARE_DATA_DIR": str(data), "PYFLARE_SECRET_KEY": secrets.token_urlsafe(50),
                       "PYFLARE_ALLOWED_HOSTS": "testserver,localhost", "DJANGO_SETTINGS_MODULE": "webapp.settings",
                       "PYFLARE_LOG_LEVEL": "WARNING"})  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from webapp.apikeys.models import ApiKey
    from webapp.projects.models import Project
    from workers.storage import migrate
    from workers.storage.clickhouse import StorageSettings, connect

    call_command("migrate", verbosity=0)
    project, _ = Project.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    _key, plaintext = ApiKey.issue(project=project, name="bench", role="developer")
    storage = StorageSettings.from_env()
    client = connect(storage)
    migrate.apply(client, storage)
    print(f"generated {args.spans:,} spans over 24 h in {generate(client, 'bench', args.spans):.0f}s")
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=plaintext, HTTP_X_PYFLARE_PROJECT="bench")
    from workers.storage.alerting import metrics

    arithmetic = metrics._evenly_spaced
    print(f"{'rule shape':42s} {'median':>9s} {'p95':>9s} {'points':>7s} {'series':>7s} {'baseline':>9s} {'ratio':>6s}"
          f"   ({args.runs} runs, chdb)")  # fmt: skip
    for label, body in SHAPES.items():
        medians = []
        for index in (arithmetic, lambda windows: None):  # the baseline: a condition per window
            metrics._evenly_spaced = index  # type: ignore[assignment]
            times, series, points = [], 0, 0
            for _ in range(args.runs):
                began = time.perf_counter()
                reply = api.post("/api/v1/alerts/rules/preview", body, format="json")
                times.append((time.perf_counter() - began) * 1000)
                assert reply.status_code == 200, reply.content
                series = len(reply.json()["series"])
                points = len(reply.json()["series"][0]["points"]) if series else 0
            times.sort()
            medians.append((statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
                            points, series))  # fmt: skip
        metrics._evenly_spaced = arithmetic
        (median, p95, points, series), (baseline, *_rest) = medians
        print(f"{label:42s} {median:7.0f}ms {p95:7.0f}ms {points:7d} {series:7d} {baseline:7.0f}ms "
              f"{baseline / median:5.1f}x")


if __name__ == "__main__":
    main()
