"""Feedback from the trace page: a score and a comment on the trace, then on a selected span, are
stored (read back through the feedback API) with the signed-in user as their submitter."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import ADMIN_EMAIL, PROJECT, login
from tests.ui.telemetry import otel_agent_trace

pytestmark = pytest.mark.browser


def _feedback(serve: ServeProcess, trace_id: str) -> list[dict[str, Any]]:
    reply = requests.get(f"{serve.web}/api/v1/feedback", params={"trace_id": trace_id},
                         headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert reply.status_code == 200, reply.text
    return list(reply.json()["feedback"])


def _wait_trace(serve: ServeProcess, trace_id: str) -> None:
    for _ in range(150):
        if requests.get(f"{serve.web}/api/v1/traces/{trace_id}/outline", headers={"X-API-Key": INIT_KEY},
                        timeout=30).status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"trace {trace_id} was not stored")


def test_feedback_from_the_page_is_stored_for_the_trace_and_the_span(page: Any, ui_serve: ServeProcess) -> None:
    ids = otel_agent_trace(ui_serve, service=f"fb-{uuid.uuid4().hex[:6]}", model="gpt-4o-mini")
    trace_id = ids["trace"]
    _wait_trace(ui_serve, trace_id)
    assert _feedback(ui_serve, trace_id) == []
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}")
    form = page.get_by_role("form", name="Feedback")
    # nothing chosen yet: nothing to send
    expect(form.get_by_role("button", name="Send")).to_be_disabled()
    form.get_by_role("button", name="Good").click()
    expect(form.get_by_role("button", name="Good")).to_have_attribute("aria-pressed", "true")
    form.get_by_label("Feedback comment").fill("answered the order question")
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("status")).to_have_text("Saved")

    # the same form on a selected span scores that span
    page.locator(f'[data-span-id="{ids["chat"]}"]').click()
    expect(form).to_contain_text("Feedback on this span")
    form.get_by_role("button", name="Bad").click()
    form.get_by_label("Feedback comment").fill("tool call came late")
    form.get_by_role("button", name="Send").click()

    stored: dict[str, dict[str, Any]] = {}
    for _ in range(100):  # the status already says "Saved" from the first send: wait for the row instead
        stored = {item["comment"]: item for item in _feedback(ui_serve, trace_id)}
        if len(stored) == 2:
            break
        time.sleep(0.1)
    assert set(stored) == {"answered the order question", "tool call came late"}
    whole, span = stored["answered the order question"], stored["tool call came late"]
    assert (whole["score"], whole["span_id"]) == (1.0, "")  # "" : the whole trace
    assert (span["score"], span["span_id"]) == (0.0, ids["chat"])
    assert {whole["submitted_by"], span["submitted_by"]} == {f"user:{ADMIN_EMAIL}"}
    assert {whole["source"], span["source"]} == {"user"}
