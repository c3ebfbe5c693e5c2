"""The waterfall in the browser: the critical path (walking back from each span's end through the
children it waited on) is highlighted and can be switched off, errors are marked and reached with
the `e` key in start order, and dragging over the minimap zooms the ruler (double-click resets)."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

MS = 1_000_000
# name: (parent, start ms, end ms, failed)
SPANS = {
    "root": (None, 0, 100, False),
    "fetch": ("root", 0, 30, False),
    "cache": ("root", 10, 20, True),
    "answer": ("root", 30, 100, True),
    "generate": ("answer", 40, 95, False),
}


def _send(serve: ServeProcess) -> tuple[str, dict[str, str]]:
    rng = random.Random()
    trace_id = rng.getrandbits(128).to_bytes(16, "big")
    ids = {name: rng.getrandbits(64).to_bytes(8, "big") for name in SPANS}
    now = time.time_ns() - 5_000 * MS
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add()
    for key, value in (("service.name", "waterfall-nav"), ("pyflare.project", PROJECT)):
        rs.resource.attributes.append(KeyValue(key=key, value=AnyValue(string_value=value)))
    scope = rs.scope_spans.add()
    for name, (parent, start, end, failed) in SPANS.items():
        span = scope.spans.add()
        span.trace_id, span.span_id, span.name = trace_id, ids[name], name
        if parent:
            span.parent_span_id = ids[parent]
        span.start_time_unix_nano, span.end_time_unix_nano = now + start * MS, now + end * MS
        if failed:
            span.status.code = Status.STATUS_CODE_ERROR
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=request.SerializeToString(), timeout=60,
                          headers={"Content-Type": "application/x-protobuf", "x-api-key": INIT_KEY})  # fmt: skip
    assert reply.status_code == 200, reply.text
    return trace_id.hex(), {name: i.hex() for name, i in ids.items()}


def _classes(page: Any) -> dict[str, set[str]]:
    rows = page.get_by_test_id("span-row")
    pairs = rows.evaluate_all("els => els.map(e => [e.dataset.spanId, e.className])")
    return {span_id: set(classes.split()) for span_id, classes in pairs}


def test_critical_path_errors_and_minimap_zoom(page: Any, ui_serve: ServeProcess) -> None:
    trace_id, ids = _send(ui_serve)
    names = {span_id: name for name, span_id in ids.items()}
    for _ in range(150):
        if requests.get(f"{ui_serve.web}/api/v1/traces/{trace_id}/outline", headers={"X-API-Key": INIT_KEY},
                        timeout=30).status_code == 200:
            break
        time.sleep(0.2)
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}")
    page.get_by_test_id("span-row").nth(len(SPANS) - 1).wait_for()

    # walking back from the root's end: "answer" ends last (100 ms) and ends through "generate" (95 ms);
    # before "answer" started (30 ms) the root waited on "fetch" (ends at 30 ms), not on "cache" (20 ms)
    classes = _classes(page)
    assert {names[s] for s, c in classes.items() if "critical" in c} == {"root", "fetch", "answer", "generate"}
    assert {names[s] for s, c in classes.items() if "error" in c} == {"cache", "answer"}
    page.get_by_role("button", name="Critical path").click()
    assert not any("critical" in c for c in _classes(page).values())

    # `e` walks the errors in start order: cache (10 ms), then answer (30 ms), then around again
    tree = page.get_by_role("tree", name="Spans")
    heading = page.get_by_test_id("span-panel").get_by_role("heading", level=2)
    for expected in ("cache", "answer", "cache"):
        tree.press("e")
        expect(heading).to_have_text(expected)
        assert page.url.endswith(f"span={ids[expected]}")
    tree.press("E")  # backwards
    expect(heading).to_have_text("answer")
    expect(page.get_by_role("button", name="Next error (2)")).to_be_enabled()

    # drag over the right half of the minimap: the view zooms, a double-click resets it
    minimap = page.get_by_test_id("minimap")
    box = minimap.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.75, y, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.99, y, steps=5)
    page.mouse.up()
    label = page.locator(".wf-head .wf-label")
    expect(label).to_contain_text("zoomed")
    expect(minimap).to_have_attribute("aria-valuenow", "50")
    minimap.dblclick()
    expect(label).not_to_contain_text("zoomed")
    expect(minimap).to_have_attribute("aria-valuenow", "0")
