"""Trace list speed in Debian's Chromium (Performance API) against a real `pyflare serve` on a
store of ~1M spans, plus the list's API reads on their own.

    python loadtests/bench_ui_list.py [--traces 100000] [--repeat 5] [--data-dir DIR]

Loads `--traces` traces (~10 spans each: 100k ≈ 1M spans) straight into chdb with the trace
corpus (Arrow batches through the storage client), starts `pyflare serve`, signs in and prints
medians of `--repeat` runs:

- API: the newest 1,000 traces (`limit=1000`), the 200-trace first page the UI asks for, the facet
  counts with no filter, over the last hour, and with a model filter;
- first meaningful render: navigation → the first trace row painted, and → the newest 1,000 rows
  loaded (the list pages in 200 at a time as it scrolls);
- scrolling 10,000 loaded rows: frames per second and the longest frame (requestAnimationFrame);
- initial JavaScript, gzipped, from the built files.

Targets (issue 10): 1,000 newest rows ≤ 1 s after navigation, ≥ 50 frames/s, initial JS ≤ 300 KB.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))

from bench_ui import CHROMIUM, EMAIL, KEY, OBSERVE, PASSWORD, SCROLL_FPS, initial_js_kb, load_store, scroll_until

from tests.serve.running import ServeProcess


def timed_get(serve: ServeProcess, path: str, params: dict[str, str | int], repeat: int) -> float:
    """Median wall time (ms) of a GET with the bench key."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        reply = requests.get(f"{serve.web}{path}", params=params, headers={"X-API-Key": KEY}, timeout=300)
        times.append((time.perf_counter() - started) * 1000)
        assert reply.status_code == 200, reply.text[:300]
    return statistics.median(times)


def api_figures(serve: ServeProcess, repeat: int) -> None:
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    for label, path, params in [
        ("list, newest 1,000", "/api/v1/traces", {"limit": 1000}),
        ("list, first page of 200", "/api/v1/traces", {"limit": 200}),
        ("list, 200 with model=gpt-4o", "/api/v1/traces", {"limit": 200, "model_id": "gpt-4o"}),
        ("facets, no filter", "/api/v1/traces/facets", {}),
        ("facets, last hour", "/api/v1/traces/facets", {"start_time": hour_ago}),
        ("facets, model=gpt-4o", "/api/v1/traces/facets", {"model_id": "gpt-4o"}),
    ]:
        print(f"API {label}: {timed_get(serve, path, params, repeat):.0f} ms (median of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", help="keep the loaded data here (default: a temporary directory)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="pyflare-bench-ui-list-"))
    if not (data_dir / "clickhouse").exists():
        load_store(data_dir, args.traces)
    print(f"initial JS: {initial_js_kb():.1f} KB gzipped (target ≤ 300)")

    serve = ServeProcess(data_dir, {
        "PYFLARE_INIT_PROJECT": "bench", "PYFLARE_INIT_API_KEY": KEY, "PYFLARE_INIT_ADMIN_EMAIL": EMAIL,
        "PYFLARE_INIT_ADMIN_PASSWORD": PASSWORD,
    }).start()
    try:
        api_figures(serve, args.repeat)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-dev-shm-usage"])
            context = browser.new_context(base_url=serve.web, viewport={"width": 1400, "height": 900})
            context.add_init_script(OBSERVE)
            page = context.new_page()
            page.set_default_timeout(300_000)
            page.goto("/login")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/p/bench/traces")

            first, thousand = [], []
            for _ in range(args.repeat):
                page.goto("/p/bench/traces")
                page.wait_for_function("window.__marks.row > 0")
                first.append(page.evaluate("window.__marks.row"))
                thousand.append(scroll_until(page, 1000))
            print(f"trace list: first row painted {statistics.median(first):.0f} ms after navigation; newest "
                  f"1,000 rows loaded {statistics.median(thousand):.0f} ms (medians of {args.repeat}; target ≤ 1000)")

            page.goto("/p/bench/traces")
            page.wait_for_function("window.__marks.row > 0")
            started = time.perf_counter()
            scroll_until(page, 10_000)
            print(f"loaded 10,000 rows by scrolling in {time.perf_counter() - started:.1f} s")
            runs = [page.evaluate(SCROLL_FPS, 3) for _ in range(args.repeat)]
            print(f"scrolling 10,000 rows: {statistics.median([r['fps'] for r in runs]):.0f} frames/s, longest "
                  f"frame {statistics.median([r['worst'] for r in runs]):.0f} ms (medians; target ≥ 50 frames/s)")
            browser.close()
    finally:
        serve.kill()


if __name__ == "__main__":
    main()
