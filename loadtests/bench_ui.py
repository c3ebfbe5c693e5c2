"""Web UI speed in Debian's Chromium, measured with the Performance API against a real
`pyflare serve` on a large store.

    python loadtests/bench_ui.py [--traces 100000] [--repeat 5] [--data-dir DIR]

Loads `--traces` traces (~10 spans each: 100k ≈ 1M spans) into a fresh data directory with the
trace API benchmark's corpus, starts `pyflare serve` on it, sends one 1,000-span and one
10,000-span trace through OTLP/HTTP, signs in, and prints medians of `--repeat` runs:

- trace list: navigation → first row painted, and → 1,000 newest rows loaded (infinite scroll);
- scrolling 10,000 loaded rows: frames per second and the longest frame (requestAnimationFrame);
- waterfall of 1,000 / 10,000 spans: API response end → first span row painted, and navigation → rows;
- collapse all / expand all at 10,000 spans: click → the next frame painted.

Initial JavaScript (gzipped) is printed from the built files. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from tests.serve.running import ServeProcess  # noqa: E402
from webapp.ui.views import DIST  # noqa: E402

KEY = "pf_bench_ui_key_0123456789abcdef0123"
EMAIL, PASSWORD = "bench@ui.example", "bench-ui-correct-horse-battery"
CHROMIUM = os.environ.get("PYFLARE_CHROMIUM", "/usr/bin/chromium")

# records when the first row of a list / waterfall is in the DOM (a MutationObserver fires before paint;
# the next animation frame is when it is painted)
OBSERVE = """
window.__marks = {};
new MutationObserver(() => {
  for (const [name, sel] of [["row", '[data-testid="trace-row"]'], ["span", '[data-testid="span-row"]']]) {
    if (!window.__marks[name] && document.querySelector(sel)) {
      window.__marks[name] = -1;
      requestAnimationFrame(() => { window.__marks[name] = performance.now(); });
    }
  }
}).observe(document, { childList: true, subtree: true });
"""


def load_store(data_dir: Path, traces: int) -> None:
    """Fill the embedded ClickHouse with the corpus (in a child: chdb allows one process per directory)."""
    code = f"""
import os, sys, time
os.environ["PYFLARE_CLICKHOUSE_URL"] = "chdb://{data_dir / 'clickhouse'}"
sys.path.insert(0, {str(Path(__file__).parent)!r})
import trace_corpus
from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings, connect
storage = StorageSettings.from_env()
client = connect(storage)
migrate.apply(client, storage)
started = time.perf_counter()
corpus = trace_corpus.load(client, "bench", {traces})
print(f"loaded {{corpus.spans:,}} spans / {{corpus.traces:,}} traces in {{time.perf_counter() - started:.1f}} s")
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO,
                   env={**os.environ, "PYTHONPATH": f"{REPO}:{REPO / 'sdk'}"})


def _kv(key: str, value: str | int) -> KeyValue:
    any_value = AnyValue(int_value=value) if isinstance(value, int) else AnyValue(string_value=value)
    return KeyValue(key=key, value=any_value)


def big_trace(spans: int, rng: random.Random) -> tuple[str, bytes]:
    """One trace of `spans` spans: a root, a fan of steps, each with nested calls (LLM calls among them)."""
    trace_id = rng.getrandbits(128).to_bytes(16, "big")
    now = time.time_ns() - 5_000_000_000
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add()
    rs.resource.attributes.extend([_kv("service.name", "bench-agent"), _kv("pyflare.project", "bench")])
    scope = rs.scope_spans.add()
    ids = [rng.getrandbits(64).to_bytes(8, "big") for _ in range(spans)]
    for i in range(spans):
        s: Span = scope.spans.add()
        s.trace_id, s.span_id = trace_id, ids[i]
        if i:
            parent = 0 if i % 10 == 1 else i - 1 if i % 10 else rng.randrange(i)
            s.parent_span_id = ids[parent]
        start = now + i * 100_000
        s.start_time_unix_nano = start
        s.end_time_unix_nano = start + (spans * 100_000 + 1000 if i == 0 else rng.randrange(50_000, 2_000_000))
        s.name = "agent run" if i == 0 else rng.choice(["plan", "retrieve", "tool.call", "rerank", "chat gpt-4o"])
        if s.name.startswith("chat"):
            s.attributes.extend([_kv("gen_ai.request.model", "gpt-4o"), _kv("gen_ai.usage.input_tokens", 100),
                                 _kv("gen_ai.usage.output_tokens", 20)])
        if rng.random() < 0.01:
            s.status.code = Status.STATUS_CODE_ERROR
    return trace_id.hex(), request.SerializeToString()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def initial_js_kb() -> float:
    html = (DIST / "index.html").read_text()
    files = set(re.findall(r'(?:src|href)="(/assets/[^"]+\.js)"', html))
    return sum(len(gzip.compress((DIST / f.lstrip("/")).read_bytes(), 9)) for f in files) / 1024


def scroll_until(page: Any, rows: int) -> float:
    """Scroll the list to its end until `rows` traces are loaded; returns performance.now() then."""
    for _ in range(2000):
        count = page.get_by_test_id("trace-count").inner_text()
        if int(re.sub(r"\D", "", count) or 0) >= rows:
            return float(page.evaluate("performance.now()"))
        page.evaluate("document.querySelector('.grid-body').scrollTop = 1e9")
        page.wait_for_timeout(30)
    raise RuntimeError(f"the list did not reach {rows} rows")


SCROLL_FPS = """async (seconds) => {
  const el = document.querySelector('.grid-body');
  el.scrollTop = 0;
  let frames = 0, worst = 0;
  const t0 = performance.now();
  let last = t0;
  await new Promise((done) => {
    const tick = (now) => {
      frames++; worst = Math.max(worst, now - last); last = now;
      el.scrollTop += 240;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight) el.scrollTop = 0;
      if (now - t0 < seconds * 1000) requestAnimationFrame(tick); else done();
    };
    requestAnimationFrame(tick);
  });
  return { fps: frames / ((last - t0) / 1000), worst };
}"""

CLICK_TO_FRAME = """async (label) => {
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label);
  const t0 = performance.now();
  button.click();
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", help="keep the loaded data here (default: a temporary directory)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="pyflare-bench-ui-"))
    if not (data_dir / "clickhouse").exists():
        load_store(data_dir, args.traces)
    print(f"initial JS: {initial_js_kb():.1f} KB gzipped")

    serve = ServeProcess(data_dir, {
        "PYFLARE_INIT_PROJECT": "bench", "PYFLARE_INIT_API_KEY": KEY, "PYFLARE_INIT_ADMIN_EMAIL": EMAIL,
        "PYFLARE_INIT_ADMIN_PASSWORD": PASSWORD, "PYFLARE_TRACE_DETAIL_MAX_SPANS": "20000",
    }).start()
    try:
        rng = random.Random(3)
        big = {}
        for n in (1_000, 10_000):
            trace_id, body = big_trace(n, rng)
            reply = requests.post(f"{serve.otlp_http}/v1/traces", data=body, timeout=120, headers={
                "Content-Type": "application/x-protobuf", "x-api-key": KEY})
            assert reply.status_code == 200, reply.text
            big[n] = trace_id
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-dev-shm-usage"])
            context = browser.new_context(base_url=serve.web, viewport={"width": 1400, "height": 900})
            context.add_init_script(OBSERVE)
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto("/login")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/p/bench/traces")

            first, api, thousand = [], [], []
            for _ in range(args.repeat):
                page.goto("/p/bench/traces")
                page.wait_for_function("window.__marks.row > 0")
                first.append(page.evaluate("window.__marks.row"))
                api.append(page.evaluate("performance.getEntriesByType('resource')"
                                         ".filter(e => e.name.includes('/api/v1/traces?')).map(e => e.duration)[0]"))
                thousand.append(scroll_until(page, 1000))
            print(f"trace list: first row painted {median(first):.0f} ms after navigation (its API call "
                  f"{median(api):.0f} ms); 1,000 newest rows loaded {median(thousand):.0f} ms "
                  f"(medians of {args.repeat})")

            page.goto("/p/bench/traces")
            page.wait_for_function("window.__marks.row > 0")
            started = time.perf_counter()
            scroll_until(page, 10_000)
            print(f"loaded 10,000 rows by scrolling in {time.perf_counter() - started:.1f} s")
            runs = [page.evaluate(SCROLL_FPS, 3) for _ in range(args.repeat)]
            print(f"scrolling 10,000 rows: {median([r['fps'] for r in runs]):.0f} frames/s, "
                  f"longest frame {median([r['worst'] for r in runs]):.0f} ms (medians)")

            for n, trace_id in big.items():
                render, total = [], []
                for _ in range(args.repeat):
                    page.goto(f"/p/bench/traces/{trace_id}")
                    page.wait_for_function("window.__marks.span > 0")
                    painted = page.evaluate("window.__marks.span")
                    response_end = page.evaluate(
                        "(id) => performance.getEntriesByType('resource')"
                        ".filter(e => e.name.includes('/api/v1/traces/' + id)).map(e => e.responseEnd)[0]", trace_id)
                    render.append(painted - response_end)
                    total.append(painted)
                print(f"waterfall {n:,} spans: rendered {median(render):.0f} ms after the API answered "
                      f"({median(total):.0f} ms after navigation)")
                if n == 10_000:
                    collapse = [page.evaluate(CLICK_TO_FRAME, "Collapse all") for _ in range(1)]
                    expand = [page.evaluate(CLICK_TO_FRAME, "Expand all")]
                    for _ in range(args.repeat - 1):
                        collapse.append(page.evaluate(CLICK_TO_FRAME, "Collapse all"))
                        expand.append(page.evaluate(CLICK_TO_FRAME, "Expand all"))
                    print(f"10,000 spans: collapse all {median(collapse):.0f} ms, expand all {median(expand):.0f} ms")
            browser.close()
    finally:
        serve.kill()


if __name__ == "__main__":
    main()
