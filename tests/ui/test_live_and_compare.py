"""Live mode over /ws and trace comparison in Chromium.

Live: with live mode on, a trace sent through the SDK's OTLP exporter appears in the list from the
websocket notification alone (no list request in between); the figure printed is the time from the
exporter's acknowledgement to the row showing. Paused, new traces wait and join on resume.
Compare: two traces of the same shape, one with more tokens and an extra span, ticked in the list.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login
from tests.ui.telemetry import otel_agent_trace, otel_genai_trace

pytestmark = pytest.mark.browser


def _watch(page: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Websocket frames the page receives and API list requests it makes, as they happen."""
    frames: list[dict[str, Any]] = []
    lists: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(json.loads(payload))))
    page.on("request", lambda r: lists.append(r.url) if "/api/v1/traces?" in r.url else None)
    return frames, lists


def _wait_frame(page: Any, frames: list[dict[str, Any]], kind: str) -> None:
    for _ in range(200):
        if any(f.get("type") == kind for f in frames):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"no {kind!r} frame; got {frames}")


def test_a_trace_sent_while_live_appears_from_the_websocket(page: Any, ui_serve: ServeProcess) -> None:
    service = f"live-{uuid.uuid4().hex[:6]}"
    frames, lists = _watch(page)
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}")
    page.get_by_text("No trace matches these filters").wait_for()
    page.get_by_test_id("live-toggle").click()
    _wait_frame(page, frames, "subscribed")
    requests_before = len(lists)

    trace_id = otel_genai_trace(ui_serve, service=service, model="gpt-4o-mini", error=True)
    sent = time.monotonic()
    row = page.locator(f'[data-testid="trace-row"]:has(a[href$="/traces/{trace_id}"])')
    row.wait_for(timeout=10_000)
    print(f"\nlive: row shown {1000 * (time.monotonic() - sent):.0f} ms after the exporter returned")
    assert len(lists) == requests_before  # it came over the websocket, not from re-reading the list
    assert "row-error" in (row.get_attribute("class") or "")  # errors are highlighted
    assert service in row.inner_text()

    # paused: the next trace waits, then joins on resume
    page.get_by_test_id("live-pause").click()
    waiting = otel_genai_trace(ui_serve, service=service, model="gpt-4o-mini")
    page.get_by_test_id("live-status").filter(has_text="1 waiting").wait_for()
    assert page.locator(f'a[href$="/traces/{waiting}"]').count() == 0
    page.get_by_test_id("live-pause").click()  # Resume
    page.locator(f'a[href$="/traces/{waiting}"]').wait_for()
    assert len(lists) == requests_before


def test_comparing_two_traces_shows_matched_added_and_token_differences(page: Any, ui_serve: ServeProcess) -> None:
    service = f"cmp-{uuid.uuid4().hex[:6]}"
    a = otel_agent_trace(ui_serve, service=service, model="gpt-4o", input_tokens=120)
    b = otel_agent_trace(ui_serve, service=service, model="gpt-4o", input_tokens=150, rerank=True)
    for ids in (a, b):
        url = f"{ui_serve.web}/api/v1/traces/{ids['trace']}"
        assert requests.get(url, headers={"X-API-Key": INIT_KEY}, timeout=30).status_code == 200
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}")
    for ids in (a, b):
        page.locator(f'[data-testid="trace-row"]:has(a[href$="/traces/{ids["trace"]}"]) input[type=checkbox]').check()
    page.get_by_test_id("compare-selected").click()
    page.wait_for_url(f"**/compare?a={a['trace']}&b={b['trace']}")
    table = page.get_by_test_id("compare-table")
    table.wait_for()
    rows = page.get_by_test_id("compare-row")
    states = dict(zip(rows.evaluate_all("els => els.map(e => e.dataset.name)"),
                      rows.evaluate_all("els => els.map(e => e.dataset.state)"), strict=True))
    assert states == {"handle ticket": "matched", "agent step": "matched", "chat gpt-4o": "matched",
                      "tool lookup": "matched", "rerank": "added"}
    chat = page.locator('[data-testid="compare-row"][data-name="chat gpt-4o"]')
    assert chat.get_by_test_id("delta-tokens").inner_text() == "+30"  # 150 - 120 input tokens
    assert chat.locator(".cmp-name").get_attribute("title") == "chat gpt-4o"  # a cut name is whole in its tooltip
    summary = page.get_by_test_id("compare-summary").inner_text()
    assert "4 matched · 0 missing in B · 1 added in B" in summary
    assert "Δ tokens +30" in summary
