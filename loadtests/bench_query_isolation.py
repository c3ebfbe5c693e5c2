"""OTLP export latency of `pyflare serve` (embedded, chdb) with and without heavy SQL running.

One sender exports a two-span trace at a time over OTLP/HTTP (a 200 means stored), then reads it
back once through `GET /api/v1/traces/<id>`. Three phases of `--exports` each: nothing else
running; a CPU-heavy query of several seconds looping through `POST /api/v1/query`; queries over
the memory and result caps looping (refused with 422). Prints median and p99 of export (send →
200) and of 200 → read answered, per phase.

    python loadtests/bench_query_isolation.py [--exports 60] [--query-threads 1]

Prints figures; asserts nothing. Sender and query threads share the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "sdk")]

import requests  # noqa: E402

from tests.serve.running import INIT_KEY, ServeProcess, start_serve  # noqa: E402
from tests.serve.spans import genai_traces, hex_trace_id, payload  # noqa: E402

HEADERS = {"X-API-Key": INIT_KEY}
SLOW_SQL = (
    "SELECT count() AS n FROM (SELECT arrayJoin(range(60000)) AS a) AS x "
    "CROSS JOIN (SELECT arrayJoin(range(10000)) AS b) AS y WHERE cityHash64(a, b) % 7 = 0"
)
OVER_THE_CAPS = ["SELECT randomString(1000000000)", "SELECT randomString(20000) AS s, arrayJoin(range(1000)) AS i"]


def export_once(serve: ServeProcess, index: int) -> tuple[float, float]:
    spans = genai_traces(1, service=f"bench-{index}")
    sent = time.monotonic()
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=payload(spans), timeout=60,
                          headers={"Content-Type": "application/x-protobuf", **HEADERS})
    acked = time.monotonic()
    if reply.status_code != 200:
        return float("inf"), float("inf")
    found = requests.get(f"{serve.web}/api/v1/traces/{hex_trace_id(spans[0])}", headers=HEADERS, timeout=60)
    read = time.monotonic() if found.status_code == 200 else float("inf")
    return acked - sent, read - acked


def loop_queries(serve: ServeProcess, queries: list[str], stop: threading.Event, statuses: list[int]) -> None:
    while not stop.is_set():
        for sql in queries:
            reply = requests.post(f"{serve.web}/api/v1/query", json={"sql": sql}, headers=HEADERS, timeout=120)
            statuses.append(reply.status_code)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def phase(serve: ServeProcess, name: str, exports: int, queries: list[str] | None, start: int) -> None:
    stop, statuses = threading.Event(), []  # type: ignore[var-annotated]
    thread = None
    if queries:
        thread = threading.Thread(target=loop_queries, args=(serve, queries, stop, statuses))
        thread.start()
        time.sleep(0.5)
    results = [export_once(serve, start + i) for i in range(exports)]
    stop.set()
    if thread is not None:
        thread.join(120)
    export_s = [r[0] for r in results]
    read_s = [r[1] for r in results]
    replies = ", ".join(f"{s}x{statuses.count(s)}" for s in sorted(set(statuses))) or "-"
    print(f"{name:<28} export median {statistics.median(export_s) * 1000:7.1f} ms  p99 {p99(export_s) * 1000:7.1f} ms"
          f" | 200→read median {statistics.median(read_s) * 1000:7.1f} ms  p99 {p99(read_s) * 1000:7.1f} ms"
          f" | query replies {replies}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exports", type=int, default=60)
    parser.add_argument("--query-threads", type=int, default=1, help="PYFLARE_QUERY_MAX_THREADS for the server")
    args = parser.parse_args()
    serve = start_serve(Path(tempfile.mkdtemp(prefix="pyflare-bench-query-")),
                        {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_QUERY_MAX_THREADS": str(args.query_threads)})
    try:
        export_once(serve, -1)  # warm-up: imports and connections
        phase(serve, "no query", args.exports, None, 0)
        phase(serve, "slow query (several s)", args.exports, [SLOW_SQL], 10_000)
        phase(serve, "queries over the caps", args.exports, OVER_THE_CAPS, 20_000)
    finally:
        serve.kill()


if __name__ == "__main__":
    main()
