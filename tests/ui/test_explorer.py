"""Trace explorer and detail in Chromium: the model filter narrows the list (and lives in the URL),
the detail page nests the waterfall as the spans were sent and shows the LLM transcript with its
tool call; dark mode toggles and is remembered."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login
from tests.ui.telemetry import otel_agent_trace, otel_genai_trace, sdk_llm_trace

pytestmark = pytest.mark.browser


def _stored(serve: ServeProcess, trace_id: str) -> dict[str, Any]:
    reply = requests.get(f"{serve.web}/api/v1/traces/{trace_id}", headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _row_ids(page: Any) -> set[str]:
    return {href.rsplit("/", 1)[-1] for href in page.locator('[data-testid="trace-row"] a.trace-link').evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")}


def test_model_filter_narrows_the_list_and_stays_in_the_url(page: Any, ui_serve: ServeProcess) -> None:
    tag = uuid.uuid4().hex[:6]
    service = f"filter-{tag}"
    model_a, model_b = f"gpt-a-{tag}", f"gpt-b-{tag}"
    a1 = otel_genai_trace(ui_serve, service=service, model=model_a)
    a2 = otel_genai_trace(ui_serve, service=service, model=model_a, error=True)
    b1 = otel_genai_trace(ui_serve, service=service, model=model_b)
    for trace_id in (a1, a2, b1):
        _stored(ui_serve, trace_id)
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}")
    page.locator(f'a[href$="/traces/{b1}"]').wait_for()
    assert _row_ids(page) == {a1, a2, b1}
    # the facet shows the counts of what is listed; the typed query applies the filter
    assert page.locator(f'[data-testid="facet-model"][data-value="{model_a}"]').inner_text().endswith("2")
    query = page.get_by_test_id("query-input")
    query.fill(f"service:{service} model:{model_a}")
    query.press("Enter")
    page.wait_for_url(f"**model={model_a}**")
    page.locator(f'a[href$="/traces/{b1}"]').wait_for(state="detached")
    page.locator(f'a[href$="/traces/{a1}"]').wait_for()
    assert _row_ids(page) == {a1, a2}
    page.reload()  # a shared link / reload keeps the filter
    page.locator(f'a[href$="/traces/{a1}"]').wait_for()
    assert _row_ids(page) == {a1, a2}
    assert f"model:{model_a}" in page.get_by_test_id("query-input").input_value()
    # status facet narrows further to the failed one
    page.locator('[data-testid="facet-status"][data-value="error"]').click()
    page.locator(f'a[href$="/traces/{a1}"]').wait_for(state="detached")
    page.locator(f'a[href$="/traces/{a2}"]').wait_for()
    assert _row_ids(page) == {a2}


def test_detail_shows_the_nested_waterfall_and_the_llm_transcript(page: Any, ui_serve: ServeProcess) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = otel_agent_trace(ui_serve, service=f"agent-{tag}", model="gpt-4o-mini")
    stored = _stored(ui_serve, ids["trace"])
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{ids['trace']}")
    page.get_by_test_id("waterfall").wait_for()
    rows = page.get_by_test_id("span-row")
    rows.first.wait_for()
    got = rows.evaluate_all("els => els.map(e => [e.dataset.spanId, Number(e.dataset.depth)])")
    # depth as sent: root 0, agent 1, chat and tool 2 (chat first: it started first)
    assert got == [[ids["handle ticket"], 0], [ids["agent step"], 1], [ids["chat"], 2], [ids["tool lookup"], 2]]
    assert page.get_by_test_id("trace-stats").inner_text().count(str(stored["total_tokens"])) >= 1
    page.locator(f'[data-span-id="{ids["chat"]}"]').click()
    transcript = page.get_by_test_id("transcript")
    transcript.wait_for()
    messages = transcript.get_by_test_id("chat-message")
    roles = messages.evaluate_all("els => els.map(e => e.dataset.role)")
    assert roles == ["user", "assistant", "tool", "assistant"]
    assert "Where is order 42?" in messages.nth(0).inner_text()
    call = transcript.get_by_test_id("tool-call")
    assert "lookup_order" in call.inner_text() and "42" in call.inner_text()
    assert "Order 42 has shipped." in messages.nth(3).inner_text()
    transcript.get_by_role("tab", name="JSON").click()
    assert "gen_ai.input.messages" in transcript.inner_text().lower()
    # the URL names the selected span: a reload reopens it
    page.reload()
    page.get_by_test_id("span-panel").wait_for()
    # keyboard: collapse the agent step with ← after moving to it with ↑
    page.locator(f'[data-span-id="{ids["agent step"]}"]').click()
    page.get_by_role("tree", name="Spans").press("ArrowLeft")
    page.locator(f'[data-span-id="{ids["tool lookup"]}"]').wait_for(state="detached")
    assert rows.count() == 2


def test_search_within_a_trace_counts_matches(page: Any, ui_serve: ServeProcess) -> None:
    ids = otel_agent_trace(ui_serve, service=f"search-{uuid.uuid4().hex[:6]}", model="gpt-4o")
    _stored(ui_serve, ids["trace"])
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{ids['trace']}")
    search = page.get_by_label("Search spans")
    search.fill("lookup")  # the tool span's name, and the tool call inside the chat span's messages
    expect(page.get_by_test_id("match-count")).to_have_text("2 matches")  # searched on the server
    search.press("Enter")
    page.get_by_test_id("match-count").filter(has_text="1 / 2").wait_for()
    _panel_shows(page, "chat gpt-4o")
    search.press("Enter")
    page.get_by_test_id("match-count").filter(has_text="2 / 2").wait_for()
    _panel_shows(page, "tool lookup")
    search.fill("no such span anywhere")
    expect(page.get_by_test_id("match-count")).to_have_text("0 matches")


def _panel_shows(page: Any, title: str) -> None:
    """The span panel's heading becomes `title`: the panel loads the selected span after the count moves."""
    heading = page.get_by_test_id("span-panel").get_by_role("heading", level=2)
    expect(heading).to_have_text(title, timeout=30_000)  # re-queried until it matches


def test_sdk_llm_span_transcript_from_previews(page: Any, ui_serve: ServeProcess) -> None:
    trace_id = sdk_llm_trace(ui_serve, service=f"sdk-{uuid.uuid4().hex[:6]}", model="gpt-4o-mini",
                             question="Can I return shoes?", answer="Yes, within 30 days.", input_tokens=9,
                             output_tokens=6)
    stored = _stored(ui_serve, trace_id)
    llm = next(s for s in stored["spans"][0]["children"] if s["model_id"])
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}?span={llm['span_id']}")
    messages = page.get_by_test_id("chat-message")
    messages.first.wait_for()
    texts = [m.strip() for m in messages.all_inner_texts()]
    assert texts == ["USER\nCan I return shoes?", "ASSISTANT\nYes, within 30 days."]


def test_an_llm_span_without_recorded_messages_opens_on_its_overview(page: Any, ui_serve: ServeProcess) -> None:
    trace_id = otel_genai_trace(ui_serve, service=f"bare-{uuid.uuid4().hex[:6]}", model="gpt-4o-mini")
    llm = next(s for s in _stored(ui_serve, trace_id)["spans"][0]["children"] if s["model_id"])
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}?span={llm['span_id']}")
    panel = page.get_by_test_id("span-panel")
    expect(panel.get_by_role("tab", name="Overview")).to_have_attribute("aria-selected", "true")
    panel.get_by_role("tab", name="Messages").click()
    hint = panel.get_by_test_id("no-content")
    expect(hint).to_contain_text("No message content was recorded for this call.")
    expect(hint).to_contain_text("PYFLARE_CAPTURE_CONTENT=true")
    assert panel.get_by_test_id("chat-message").count() == 0


def test_dark_mode_toggles_and_is_remembered(page: Any, ui_serve: ServeProcess) -> None:
    login(page)
    html = page.locator("html")
    before = html.get_attribute("data-theme")
    page.get_by_test_id("theme-toggle").click()
    after = html.get_attribute("data-theme")
    assert {before, after} == {"light", "dark"}
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.reload()
    page.get_by_test_id("theme-toggle").wait_for()
    assert html.get_attribute("data-theme") == after
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    if after == "light":  # leave the screenshot dark
        page.get_by_test_id("theme-toggle").click()
    assert html.get_attribute("data-theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 19, 24)"
