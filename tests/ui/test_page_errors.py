"""A page that cannot show stays inside the shell with a reload: its code file gone (a tab opened before
an upgrade asks for the old build's files) or a reply it cannot read (a server of another version)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.serve.running import ServeProcess
from tests.ui.conftest import PROJECT, login
from tests.ui.telemetry import otel_genai_trace

pytestmark = pytest.mark.browser


def test_a_page_whose_code_is_gone_offers_a_reload_inside_the_shell(page: Any, ui_serve: ServeProcess) -> None:
    login(page)
    page.goto(f"/p/{PROJECT}/dashboard")
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.route("**/assets/CostsPage-*.js", lambda route: route.fulfill(status=404, body="gone"))
    page.get_by_role("link", name="Costs").click()
    error = page.get_by_test_id("page-error")
    expect(error).to_contain_text("This page's code could not be loaded")
    expect(error).to_contain_text("Reload to get the current version")
    expect(page.get_by_role("link", name="Traces")).to_be_visible()  # the sidebar still works
    page.unroute("**/assets/CostsPage-*.js")
    error.get_by_role("button", name="Reload").click()
    expect(page.get_by_role("heading", name="Costs", exact=True)).to_be_visible()
    expect(page.get_by_test_id("page-error")).to_have_count(0)


def test_a_reply_the_page_cannot_read_is_explained_not_a_blank_screen(page: Any, ui_serve: ServeProcess) -> None:
    trace_id = otel_genai_trace(ui_serve, service="odd-reply", model="gpt-4o-mini")

    def without_columns(route: Route) -> None:  # an outline as a server of another version might send it
        body = route.fetch().json()
        body["spans"] = {"span_id": body["spans"]["span_id"]}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/traces/*/outline*", without_columns)
    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}")
    error = page.get_by_test_id("page-error")
    expect(error).to_contain_text("This page failed to show")
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(error.get_by_role("button", name="Reload")).to_be_visible()
