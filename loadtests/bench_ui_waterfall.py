"""The trace page's waterfall at 1,000, 10,000 and 100,000 spans, in Debian's Chromium, measured with
the Performance API against a real `pyflare serve`.

    python loadtests/bench_ui_waterfall.py [--sizes 1000,10000,100000] [--repeat 5] [--data-dir DIR]

The traces are generated straight into the embedded ClickHouse (no ingest in the way), then for each
size it prints medians of `--repeat` page loads:

- outline: the API call's duration and size on the wire;
- first row: navigation → the first span row painted, and the outline's arrival → that paint (the
  browser's own share: decoding, tree, layout and rows);
- full render: navigation → the main thread free again with the rows painted (the end of the last
  long task, or the first row when no task was long);
- longest task: the longest main-thread task while the page loaded (PerformanceObserver `longtask`);
  a tab "freezes" when this runs into seconds;
- collapse / expand: clicking the root's toggle → the next frame painted (the whole tree below it);
- compare: the comparison page with the trace on both sides (every span matched) → first row painted,
  and its longest task.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.serve.running import ServeProcess  # noqa: E402

KEY = "pf_bench_waterfall_key_0123456789abcdef"
EMAIL, PASSWORD = "bench@waterfall.example", "bench-waterfall-correct-horse"
PROJECT = "bench"
CHROMIUM = os.environ.get("PYFLARE_CHROMIUM", "/usr/bin/chromium")

# a child process (chdb allows one process per data directory): one trace per size, spans inserted
# columnar in batches; a root, a fan of steps under it, each step with a chain of nested calls
LOAD = """
import random, sys, time
from decimal import Decimal
from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings, connect
from tests.storage.spans import span_row, span_table
storage = StorageSettings.from_env()
client = connect(storage)
migrate.apply(client, storage)
rng = random.Random(11)
now = time.time_ns() - 600_000_000_000
for size in SIZES:
    trace_id = f"{rng.getrandbits(128):032x}"
    ids = [f"{rng.getrandbits(64):016x}" for _ in range(size)]
    rows = []
    for i in range(size):
        parent = "" if i == 0 else ids[0] if i % 10 == 1 else ids[i - 1] if i % 10 else ids[rng.randrange(i)]
        start = now + i * 100_000
        end = start + (size * 100_000 + 1000 if i == 0 else rng.randrange(50_000, 2_000_000))
        name = "agent run" if i == 0 else rng.choice(["plan", "retrieve", "tool.call", "rerank", "chat gpt-4o"])
        llm = name.startswith("chat")
        rows.append(span_row(
            project="bench", trace_id=trace_id, span_id=ids[i], parent_span_id=parent, name=name,
            service_name="bench-agent", start_time=start, end_time=end,
            status_code="error" if rng.random() < 0.01 else "ok",
            model_id="gpt-4o" if llm else "", input_tokens=100 if llm else None,
            output_tokens=20 if llm else None, total_tokens=120 if llm else None,
            cost_usd=Decimal("0.00045") if llm else None, attributes=[("step", str(i % 10))],
        ))
        if len(rows) == 20_000:
            client.insert_arrow("spans", span_table(rows))
            rows = []
    if rows:
        client.insert_arrow("spans", span_table(rows))
    print(size, trace_id)
"""

OBSERVE = """
window.__marks = { longest: 0, lastTaskEnd: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    window.__marks.longest = Math.max(window.__marks.longest, e.duration);
    window.__marks.lastTaskEnd = Math.max(window.__marks.lastTaskEnd, e.startTime + e.duration);
  }
}).observe({ type: "longtask", buffered: true });
new MutationObserver(() => {
  for (const [mark, row] of [["span", "span-row"], ["cmp", "compare-row"]]) {
    if (!window.__marks[mark] && document.querySelector(`[data-testid="${row}"]`)) {
      window.__marks[mark] = -1;
      requestAnimationFrame(() => { window.__marks[mark] = performance.now(); });
    }
  }
}).observe(document, { childList: true, subtree: true });
"""

TOGGLE_TO_FRAME = """async () => {
  const button = document.querySelector('[data-testid="span-row"] button.wf-toggle');
  const t0 = performance.now();
  button.click();
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""

SETTLED = """() => new Promise((done) => {
  // the main thread is free when a 200 ms timer fires on time twice in a row
  let calm = 0, last = performance.now();
  const tick = () => {
    const now = performance.now();
    calm = now - last < 260 ? calm + 1 : 0;
    last = now;
    if (calm >= 2) done(); else setTimeout(tick, 200);
  };
  setTimeout(tick, 200);
})"""


def load(data_dir: Path, sizes: list[int]) -> dict[int, str]:
    env = {**os.environ, "PYTHONPATH": f"{REPO}:{REPO / 'sdk'}",
           "PYFLARE_CLICKHOUSE_URL": f"chdb://{data_dir / 'clickhouse'}"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", f"SIZES = {sizes!r}\n{LOAD}"], check=True, cwd=REPO, env=env,
                         capture_output=True, text=True).stdout  # fmt: skip
    traces = {}
    for line in out.splitlines():
        size, trace_id = line.split()
        traces[int(size)] = trace_id
    return traces


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure(page: Any, trace_id: str) -> dict[str, float]:
    page.goto(f"/p/{PROJECT}/traces/{trace_id}")
    page.wait_for_function("window.__marks.span > 0")
    page.evaluate(SETTLED)
    marks = page.evaluate("window.__marks")
    outline = page.evaluate(
        "() => performance.getEntriesByType('resource').filter(e => e.name.includes('/outline'))"
        ".map(e => [e.duration, e.encodedBodySize, e.responseEnd])[0]"
    )
    return {
        "first": marks["span"],
        "render": marks["span"] - outline[2],
        "full": max(marks["span"], marks["lastTaskEnd"]),
        "longest": marks["longest"],
        "outline_ms": outline[0],
        "outline_kb": outline[1] / 1024,
        "collapse": page.evaluate(TOGGLE_TO_FRAME),
        "expand": page.evaluate(TOGGLE_TO_FRAME),
    }


def measure_compare(page: Any, trace_id: str) -> dict[str, float]:
    """The comparison page with the trace on both sides: one outline read, every span matched."""
    page.goto(f"/p/{PROJECT}/compare?a={trace_id}&b={trace_id}")
    page.wait_for_function("window.__marks.cmp > 0")
    page.evaluate(SETTLED)
    marks = page.evaluate("window.__marks")
    return {"first": marks["cmp"], "longest": marks["longest"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", help="where the data goes (default: a temporary directory)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="pyflare-bench-waterfall-"))
    traces = load(data_dir, sizes)
    serve = ServeProcess(data_dir, {
        "PYFLARE_INIT_PROJECT": PROJECT, "PYFLARE_INIT_API_KEY": KEY, "PYFLARE_INIT_ADMIN_EMAIL": EMAIL,
        "PYFLARE_INIT_ADMIN_PASSWORD": PASSWORD,
    }).start()  # fmt: skip
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-dev-shm-usage"])  # fmt: skip
            context = browser.new_context(base_url=serve.web, viewport={"width": 1400, "height": 900})
            context.add_init_script(OBSERVE)
            page = context.new_page()
            page.set_default_timeout(180_000)
            page.goto("/login")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"**/p/{PROJECT}/traces")
            for size, trace_id in traces.items():
                runs = [measure(page, trace_id) for _ in range(args.repeat)]
                m = {key: median([r[key] for r in runs]) for key in runs[0]}
                print(f"{size:>7,} spans: outline {m['outline_ms']:.0f} ms ({m['outline_kb']:,.0f} KB); "
                      f"first row {m['first']:.0f} ms ({m['render']:.0f} ms after the outline arrived), "
                      f"full render {m['full']:.0f} ms after navigation; "
                      f"longest task {m['longest']:.0f} ms; collapse {m['collapse']:.0f} ms, "
                      f"expand {m['expand']:.0f} ms (medians of {args.repeat})")  # fmt: skip
                runs = [measure_compare(page, trace_id) for _ in range(args.repeat)]
                c = {key: median([r[key] for r in runs]) for key in runs[0]}
                print(f"{size:>7,} spans compared with themselves: first row {c['first']:.0f} ms after navigation; "
                      f"longest task {c['longest']:.0f} ms (medians of {args.repeat})")  # fmt: skip
            browser.close()
    finally:
        serve.kill()


if __name__ == "__main__":
    main()
