"""Control-plane request cost: API key authentication + RBAC + project resolution, and the SQL
validator/rewriter, measured in-process (Django test client, SQLite file database, no network).

    python loadtests/bench_control_plane.py [--requests 2000]

Prints median and p95 per request kind; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

data_dir = tempfile.mkdtemp(prefix="pyflare-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ["PYFLARE_DATA_DIR"] = data_dir
os.environ.setdefault("PYFLARE_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from webapp.apikeys.models import ApiKey  # noqa: E402
from webapp.projects.models import Project  # noqa: E402
from webapp.query.validator import QueryPolicy, rewrite_for_project  # noqa: E402

QUERIES = [
    "SELECT model_id, count() FROM spans GROUP BY model_id",
    "SELECT s.trace_id, l.body FROM spans AS s JOIN logs AS l ON s.trace_id = l.trace_id WHERE s.status_code = 'error'",
    "WITH slow AS (SELECT trace_id FROM spans WHERE duration_ns > 1e9) "
    "SELECT count() FROM trace_summary WHERE trace_id IN (SELECT trace_id FROM slow)",
    "SELECT metric_name, quantile(0.95)(value) FROM metrics GROUP BY metric_name ORDER BY 2 DESC LIMIT 20",
]


def timed(fn: Callable[[], object], n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    project = Project.objects.create(slug="bench", name="Bench")
    _key, plaintext = ApiKey.issue(project=project, name="bench", role="admin")
    for i in range(50):
        ApiKey.issue(project=project, name=f"k{i}", role="viewer")
    client = Client(HTTP_X_API_KEY=plaintext)

    def get(path: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(path)
            assert response.status_code == 200, response.content
            return response

        return call

    policy = QueryPolicy(frozenset({"spans", "trace_summary", "metrics", "logs"}))
    rows = [
        ("GET /api/v1/health (no auth)", timed(get("/api/v1/health"), args.requests)),
        ("GET /api/v1/auth/me (X-API-Key)", timed(get("/api/v1/auth/me"), args.requests)),
        ("GET /api/v1/api-keys (RBAC, 51 keys)", timed(get("/api/v1/api-keys"), args.requests)),
    ]
    for sql in QUERIES:
        rows.append(
            (f"rewrite {sql[:40]}…", timed(lambda s=sql: rewrite_for_project(s, project="bench", policy=policy), 500))
        )
    print(f"{'measure':60} {'median ms':>10} {'p95 ms':>10}")
    for name, (median, p95) in rows:
        print(f"{name:60} {median:10.3f} {p95:10.3f}")


if __name__ == "__main__":
    main()
