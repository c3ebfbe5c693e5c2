"""A trace larger than the outline cap (2,500 spans, cap 2,000 in these tests): the page says how much
it shows, the waterfall keeps only visible rows in the DOM, search runs over every span (also those
beyond the cap), and a selected span's full row is fetched on demand. Two such traces compare from
their outlines, never through the whole-trace detail call."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest
import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

SPANS = 2500


def _kv(key: str, value: str) -> KeyValue:
    return KeyValue(key=key, value=AnyValue(string_value=value))


def _send(serve: ServeProcess, slow: int | None = None) -> tuple[str, list[str]]:
    """A root with 2,499 children one after the other; every 100th is named `needle-<i>`. Child
    `slow` (if given) lasts 0.9 ms instead of 0.5 ms."""
    rng = random.Random()
    trace_id = rng.getrandbits(128).to_bytes(16, "big")
    ids = [rng.getrandbits(64).to_bytes(8, "big") for _ in range(SPANS)]
    now = time.time_ns() - 10_000_000_000
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add()
    rs.resource.attributes.extend([_kv("service.name", "large-trace"), _kv("pyflare.project", PROJECT)])
    scope = rs.scope_spans.add()
    for i in range(SPANS):
        span = scope.spans.add()
        span.trace_id, span.span_id = trace_id, ids[i]
        if i:
            span.parent_span_id = ids[0]
        span.start_time_unix_nano = now + i * 1_000_000
        length = 900_000 if i == slow else 500_000
        span.end_time_unix_nano = now + (SPANS * 1_000_000 + 1 if i == 0 else i * 1_000_000 + length)
        span.name = "root" if i == 0 else f"needle-{i}" if i % 100 == 0 else "step"
        span.attributes.append(_kv("step.index", str(i)))
    reply = requests.post(f"{serve.otlp_http}/v1/traces", data=request.SerializeToString(), timeout=60,
                          headers={"Content-Type": "application/x-protobuf", "x-api-key": INIT_KEY})  # fmt: skip
    assert reply.status_code == 200, reply.text
    return trace_id.hex(), [i.hex() for i in ids]


def _stored(serve: ServeProcess, trace_id: str) -> None:
    for _ in range(100):
        reply = requests.get(f"{serve.web}/api/v1/traces/{trace_id}/outline", timeout=30,
                             headers={"X-API-Key": INIT_KEY})  # fmt: skip
        if reply.status_code == 200 and reply.json()["span_count"] == SPANS:
            return
        time.sleep(0.2)
    raise AssertionError("the trace was not stored whole")


def test_a_trace_over_the_cap_is_truncated_windowed_and_searched_whole(page: Any, ui_serve: ServeProcess) -> None:
    trace_id, ids = _send(ui_serve)
    _stored(ui_serve, trace_id)
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}")
    notice = page.get_by_test_id("truncation-notice")
    expect(notice).to_contain_text("Showing 2,000 of 2,500 spans")
    rows = page.get_by_test_id("span-row")
    rows.first.wait_for()
    assert 0 < rows.count() < 200  # virtualised: only the visible rows exist
    # needles 100 … 2400: 24 of them, 5 beyond the cap (2000 … 2400 start after the 2,000th span)
    page.get_by_label("Search spans").fill("needle-")
    expect(page.get_by_test_id("match-count")).to_have_text("24 matches")
    page.get_by_label("Search spans").press("Enter")
    expect(page.get_by_test_id("match-count")).to_have_text("1 / 24")
    panel = page.get_by_test_id("span-panel")
    expect(panel.get_by_role("heading", level=2)).to_have_text("needle-100")
    assert page.url.endswith(f"span={ids[100]}")
    panel.get_by_role("tab", name="Attributes").click()
    expect(panel).to_contain_text("step.index")  # attributes come from the on-demand full row


def test_two_large_traces_compare_from_their_outlines(page: Any, ui_serve: ServeProcess) -> None:
    a, _ = _send(ui_serve)
    b, _ = _send(ui_serve, slow=7)
    for trace_id in (a, b):
        _stored(ui_serve, trace_id)
    login(page)
    reads: list[str] = []  # reads of one trace: /traces/{id} (the whole-trace detail) or /traces/{id}/…
    trace_read = re.compile(r"/api/v1/traces/[0-9a-f]{32}(/[a-z-]+)?$")
    page.on("request", lambda r: reads.append(r.url.split("?")[0].removeprefix(ui_serve.web))
            if trace_read.search(r.url.split("?")[0]) else None)
    # picked by id: the form validates both ids and puts them in the URL
    page.goto(f"/p/{PROJECT}/compare")
    compare = page.get_by_role("button", name="Compare", exact=True)
    page.get_by_label("Trace A id").fill(a)
    page.get_by_label("Trace B id").fill(b[:-1])
    expect(compare).to_be_disabled()  # 31 hex digits are no trace id
    page.get_by_label("Trace B id").fill(b.upper())
    compare.click()
    page.wait_for_url(f"**/compare?a={a}&b={b}")
    summary = page.get_by_test_id("compare-summary")
    # each outline holds the earliest 2,000 spans; they all pair up
    expect(summary).to_contain_text("2000 matched · 0 missing in B · 0 added in B")
    expect(page.get_by_test_id("compare-truncated")).to_contain_text(
        "A: 2,000 of 2,500 spans · B: 2,000 of 2,500 spans")
    rows = page.get_by_test_id("compare-row")
    rows.first.wait_for()
    assert 0 < rows.count() < 200  # virtualised
    page.get_by_label("Only differences").check()
    expect(rows).to_have_count(1)  # child 7 is 0.4 ms slower in B; nothing else differs
    assert rows.first.get_attribute("data-name") == "step"
    expect(rows.first).to_contain_text("+400 µs")
    outlines = {f"/api/v1/traces/{t}/outline" for t in (a, b)}
    assert set(reads) == outlines, reads
