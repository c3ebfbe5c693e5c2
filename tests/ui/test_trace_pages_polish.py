"""Trace pages at 1440x900 in Chromium, as a person first sees them: the list's fixed-content cells show
their whole text, facet counts stay visible next to long service names, a span's duration label sits
beside its bar (never on it), and no page load logs a console warning or error."""

from __future__ import annotations

import math
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

MS = 1_000_000
VIEWPORT = {"width": 1440, "height": 900}
NO_VALUE = "\u2013"  # the list's placeholder for a missing number (an en dash)
MODEL = "gpt-4.1-mini"
# OpenAI's published price for gpt-4.1-mini (https://openai.com/api/pricing/), USD per 1M tokens
INPUT_USD_PER_MTOK, OUTPUT_USD_PER_MTOK = Decimal("0.40"), Decimal("1.60")


def _exporter(serve: ServeProcess, service: str) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service, "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(
        OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})))
    return provider


def _listed(serve: ServeProcess, service: str, count: int, priced: bool = False) -> list[dict[str, Any]]:
    for _ in range(150):
        traces = requests.get(f"{serve.web}/api/v1/traces", params={"service": service, "limit": 100},
                              headers={"X-API-Key": INIT_KEY}, timeout=30).json()["traces"]
        if len(traces) >= count and (not priced or any(t["cost_usd"] is not None for t in traces)):
            return traces
        time.sleep(0.2)
    raise AssertionError(f"{count} traces of {service} never listed")


def _local_time(unix_ms: int) -> str:
    """The full start format: local wall-clock time with milliseconds."""
    return datetime.fromtimestamp(unix_ms // 1000).strftime("%Y-%m-%d %H:%M:%S") + f".{unix_ms % 1000:03d}"


def _shown_start(unix_ms: int) -> str:
    """The list shows a start of today as the time only."""
    full = _local_time(unix_ms)
    return full.split(" ", 1)[1] if datetime.fromtimestamp(unix_ms // 1000).date() == date.today() else full


def _two_significant_usd(usd: Decimal) -> str:
    """Sub-cent costs are shown with two significant digits (traces/format.ts)."""
    places = 1 - math.floor(math.log10(usd))
    return f"${usd.quantize(Decimal(1).scaleb(-places)):f}"


def test_list_cells_show_their_full_content(page: Any, ui_serve: ServeProcess) -> None:
    service = f"ui-polish-list-{uuid.uuid4().hex[:6]}"
    name = "answer a long customer question about invoices, refunds and the annual plan " + service
    input_tokens, output_tokens = 150, 22
    cost = (input_tokens * INPUT_USD_PER_MTOK + output_tokens * OUTPUT_USD_PER_MTOK) / 1_000_000
    assert cost == Decimal("0.0000952")  # 60 µ$ in + 35.2 µ$ out
    start_ms = time.time_ns() // MS - 90_000 + 123  # a start with milliseconds, inside the default range
    provider = _exporter(ui_serve, service)
    tracer = provider.get_tracer("pyflare.tests.ui.polish")
    root = tracer.start_span(name, start_time=start_ms * MS)
    chat = tracer.start_span(f"chat {MODEL}", context=trace.set_span_in_context(root), start_time=(start_ms + 10) * MS,
                             attributes={"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                                         "gen_ai.request.model": MODEL, "gen_ai.usage.input_tokens": input_tokens,
                                         "gen_ai.usage.output_tokens": output_tokens})
    chat.end(end_time=(start_ms + 1000) * MS)
    root.end(end_time=(start_ms + 1234) * MS)
    old_ms = start_ms - 3 * 86_400_000 - 4_567  # three days earlier: its row needs the date
    tracer.start_span("an older request", start_time=old_ms * MS).end(end_time=(old_ms + 62_300) * MS)
    provider.shutdown()
    _listed(ui_serve, service, 2, priced=True)

    page.set_viewport_size(VIEWPORT)
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}")
    row = page.get_by_test_id("trace-row").filter(has_text=name[:30])
    old_row = page.get_by_test_id("trace-row").filter(has_text="an older request")
    row.wait_for()
    old_row.wait_for()
    headers = page.get_by_role("columnheader").all_inner_texts()
    cells = row.get_by_role("cell")
    expected = {
        row: {"Start": _shown_start(start_ms), "Duration": "1.23 s", "Spans": "2",
              "Tokens": str(input_tokens + output_tokens), "Cost": _two_significant_usd(cost)},
        old_row: {"Start": _local_time(old_ms), "Duration": "1 min 2 s", "Spans": "1",
                  "Tokens": NO_VALUE, "Cost": NO_VALUE},
    }
    assert expected[row]["Cost"] == "$0.000095"
    for label in expected[row]:
        header = page.get_by_role("columnheader").nth(headers.index(label))
        assert header.evaluate("e => e.scrollWidth <= e.clientWidth"), f"header {label} is cut"
    for shown, columns in expected.items():
        for label, want in columns.items():
            cell = shown.get_by_role("cell").nth(headers.index(label))
            assert cell.inner_text() == want
            assert cell.evaluate("e => e.scrollWidth <= e.clientWidth"), f"{label} cell {want!r} is cut"
    # a start of today shows the time only: the whole date and time are in its tooltip
    start_cell = cells.nth(headers.index("Start"))
    assert start_cell.locator("[title]").get_attribute("title") == _local_time(start_ms)
    wide = start_cell.evaluate("e => e.clientWidth")

    # only today's trace listed: the start column narrows to the time and the name gets the room
    page.goto(f"/p/{PROJECT}/traces?service={service}&model={MODEL}")
    expect(page.get_by_test_id("trace-row")).to_have_count(1)
    start_cell = page.get_by_test_id("trace-row").get_by_role("cell").nth(headers.index("Start"))
    assert start_cell.inner_text() == _shown_start(start_ms)
    assert start_cell.evaluate("e => e.scrollWidth <= e.clientWidth")
    if _shown_start(start_ms) != _local_time(start_ms):
        assert start_cell.evaluate("e => e.clientWidth") < wide - 60

    # the name takes what is left: cut with an ellipsis, the whole name in its tooltip
    link = cells.nth(headers.index("Trace")).locator("a.trace-link")
    assert link.get_attribute("title") == name
    assert link.evaluate("a => a.querySelector('.clip').scrollWidth > a.querySelector('.clip').clientWidth")
    assert cells.nth(headers.index("Service")).locator("[title]").get_attribute("title") == service


def test_facet_counts_stay_visible_beside_long_names(page: Any, ui_serve: ServeProcess) -> None:
    run = uuid.uuid4().hex[:8]
    sent = {f"torch-inference-example-{run}": 3, f"example-langchain-agent-{run}": 2, f"svc-{run}": 1}
    for service, count in sent.items():
        provider = _exporter(ui_serve, service)
        tracer = provider.get_tracer("pyflare.tests.ui.polish")
        for _ in range(count):
            with tracer.start_as_current_span("handle", attributes={"polish.run": run}):
                pass
        provider.shutdown()
    for service, count in sent.items():
        _listed(ui_serve, service, count)

    page.set_viewport_size(VIEWPORT)
    login(page)
    page.goto(f"/p/{PROJECT}/traces")
    query = page.get_by_test_id("query-input")
    query.fill(f"attr.polish.run={run}")
    query.press("Enter")
    expect(page.get_by_test_id("facet-total")).to_have_text(f"{sum(sent.values())} traces match")
    buttons = page.locator('[data-testid="facet-service"]')
    expect(buttons).to_have_count(len(sent))

    panel = page.get_by_test_id("facets").evaluate("""e => {
        const left = e.getBoundingClientRect().left + e.clientLeft;
        return {left, right: left + e.clientWidth};
    }""")
    shown = {}
    for button in buttons.all():
        value = button.get_attribute("data-value")
        label, count = button.locator("span").nth(0), button.locator("span").nth(1)
        box = count.bounding_box()
        assert box is not None and box["width"] > 0
        assert panel["left"] <= box["x"] and box["x"] + box["width"] <= panel["right"], f"{value}'s count is cut"
        assert count.evaluate("e => e.scrollWidth <= e.clientWidth")
        shown[value] = int(count.inner_text())
        assert label.get_attribute("title") == value
    assert shown == sent
    # the long names really are longer than the panel: they are cut with an ellipsis, not wrapped
    cut = {b.get_attribute("data-value") for b in buttons.all()
           if b.locator("span").nth(0).evaluate("e => e.scrollWidth > e.clientWidth")}
    assert cut == {f"torch-inference-example-{run}", f"example-langchain-agent-{run}"}


# name: (parent, start ms, end ms); the root ends last, so its bar and "tail" end at the track's right edge
SPANS = {
    "root": (None, 0, 200),
    "long": ("root", 0, 178),
    "short": ("root", 100, 117),
    "tail": ("root", 183, 200),
    "blip": ("root", 60, 60),  # zero length: drawn 2 px wide
}
DURATIONS = {"root": "200 ms", "long": "178 ms", "short": "17 ms", "tail": "17 ms", "blip": "0"}


def _send_waterfall(serve: ServeProcess) -> tuple[str, dict[str, str]]:
    provider = _exporter(serve, "ui-polish-waterfall")
    tracer = provider.get_tracer("pyflare.tests.ui.polish")
    now = time.time_ns() - 5_000 * MS
    spans: dict[str, Any] = {}
    for name, (parent, start, _) in SPANS.items():  # parents come first in SPANS
        context = trace.set_span_in_context(spans[parent]) if parent else None
        spans[name] = tracer.start_span(name, context=context, start_time=now + start * MS)
    for name, (_, _, end) in reversed(SPANS.items()):
        spans[name].end(end_time=now + end * MS)
    provider.shutdown()
    trace_id = format(spans["root"].get_span_context().trace_id, "032x")
    for _ in range(150):
        if requests.get(f"{serve.web}/api/v1/traces/{trace_id}/outline", headers={"X-API-Key": INIT_KEY},
                        timeout=30).status_code == 200:
            break
        time.sleep(0.2)
    return trace_id, {name: format(span.get_span_context().span_id, "016x") for name, span in spans.items()}


def _label_boxes(page: Any, ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, span_id in ids.items():
        row = page.locator(f'[data-testid="span-row"][data-span-id="{span_id}"]')
        bar, label = row.locator(".wf-bar").bounding_box(), row.locator(".wf-dur")
        track = row.locator(".wf-track").bounding_box()
        found[name] = {"bar": bar, "label": label.bounding_box(), "text": label.inner_text(), "track": track}
    return found


def _assert_beside(boxes: dict[str, dict[str, Any]]) -> None:
    for name, b in boxes.items():
        bar, label = b["bar"], b["label"]
        assert b["text"] == DURATIONS[name]
        right_of = label["x"] >= bar["x"] + bar["width"]
        left_of = label["x"] + label["width"] <= bar["x"]
        assert right_of or left_of, f"{name}: label {label} overlaps bar {bar}"
        gap = label["x"] - (bar["x"] + bar["width"]) if right_of else bar["x"] - (label["x"] + label["width"])
        assert gap <= 6, f"{name}: label {gap:.1f} px away from its bar"
        assert label["x"] >= b["track"]["x"], f"{name}: label spills into the span names"


def test_duration_labels_sit_beside_their_bars(page: Any, ui_serve: ServeProcess) -> None:
    trace_id, ids = _send_waterfall(ui_serve)
    page.set_viewport_size(VIEWPORT)
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}")
    page.get_by_test_id("span-row").nth(len(SPANS) - 1).wait_for()
    boxes = _label_boxes(page, ids)
    _assert_beside(boxes)
    # the root and "tail" end at the track's right edge, "tail" only 17 ms long
    for name in ("root", "tail"):
        edge = boxes[name]["track"]["x"] + boxes[name]["track"]["width"]
        assert abs(boxes[name]["bar"]["x"] + boxes[name]["bar"]["width"] - edge) < 1.5

    # opening the span panel narrows the track: the labels are placed again for the new width
    page.locator(f'[data-testid="span-row"][data-span-id="{ids["tail"]}"]').click()
    page.wait_for_function("() => document.querySelector('.detail-body.with-panel') !== null")
    page.wait_for_timeout(200)
    narrowed = _label_boxes(page, ids)
    assert narrowed["root"]["track"]["width"] < boxes["root"]["track"]["width"]
    _assert_beside(narrowed)


# every page of the shell, loaded afresh (a full page load is what hydrates the router)
PAGES = ["traces", "dashboard", "compare", "costs", "drift", "alerts", "settings"]


def test_page_loads_log_no_console_warnings(page: Any, ui_serve: ServeProcess) -> None:
    messages: list[tuple[str, str, str]] = []
    page.on("console", lambda m: messages.append((m.type, m.text, m.location.get("url", ""))))
    page.set_viewport_size(VIEWPORT)
    # not signed in yet: the session probe answers 401 and the shell sends the browser to the login page
    # (the page's own first requests go out beside the probe, by design, and get a 401 as well)
    page.goto(f"/p/{PROJECT}/traces")
    page.wait_for_url("**/login?next=**")
    page.get_by_label("Email").wait_for()
    page.wait_for_load_state("networkidle")
    before_login, messages[:] = list(messages), []
    assert any(_is_401(m) and m[2].endswith("/api/v1/auth/me") for m in before_login), before_login  # the probe ran
    assert [m for m in before_login if m[0] in ("warning", "error") and not _is_401(m)] == []

    login(page)
    trace_id, _ = _send_waterfall(ui_serve)
    for name in [*PAGES, f"traces/{trace_id}"]:
        page.goto(f"/p/{PROJECT}/{name}")
        page.wait_for_load_state("networkidle")
        page.locator(".crumbs [aria-current]").first.wait_for()
    assert [m for m in messages if m[0] in ("warning", "error")] == []


def _is_401(message: tuple[str, str, str]) -> bool:
    kind, text, url = message
    return kind == "error" and "status of 401" in text and "/api/v1/" in url
