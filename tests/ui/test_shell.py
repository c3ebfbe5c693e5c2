"""Phase-1 journey: sign in through the login page, see the trace the SDK sent in the list."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login
from tests.ui.telemetry import otel_genai_trace, sdk_llm_trace

pytestmark = pytest.mark.browser


def _wait_stored(serve: ServeProcess, trace_id: str) -> None:
    """The receiver acknowledges after storage, but ask the API to be sure the list can show it."""
    reply = requests.get(f"{serve.web}/api/v1/traces/{trace_id}", headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert reply.status_code == 200, reply.text


def test_login_then_the_sent_traces_are_listed(page: Any, ui_serve: ServeProcess) -> None:
    sdk_id = sdk_llm_trace(ui_serve, service="ui-support-bot", model="gpt-4o-mini", question="Where is my parcel?",
                           answer="It ships tomorrow.", input_tokens=12, output_tokens=5)
    otel_id = otel_genai_trace(ui_serve, service="ui-travel-agent", model="gpt-4.1")
    _wait_stored(ui_serve, sdk_id)
    _wait_stored(ui_serve, otel_id)

    page.goto("/")  # not signed in: the app sends the browser to the login page
    page.wait_for_url("**/login**")
    login(page)
    rows = page.get_by_test_id("trace-row")
    sdk_row = rows.filter(has=page.locator(f'a[href$="/traces/{sdk_id}"]'))
    otel_row = rows.filter(has=page.locator(f'a[href$="/traces/{otel_id}"]'))
    sdk_row.wait_for()
    assert "answer question" in sdk_row.inner_text() and "ui-support-bot" in sdk_row.inner_text()
    assert "gpt-4o-mini" in sdk_row.inner_text()
    assert "plan trip" in otel_row.inner_text() and "gpt-4.1" in otel_row.inner_text()
    me = requests.get(f"{ui_serve.web}/api/v1/auth/me", headers={"X-API-Key": INIT_KEY}, timeout=10).json()
    assert page.get_by_test_id("project-switcher").inner_text().startswith(me["projects"][0]["name"])
    # the websocket, authenticated by the session cookie, is up
    page.get_by_test_id("live-indicator").and_(page.locator('[data-state="open"]')).wait_for()


def test_deep_link_survives_a_reload_and_unknown_api_paths_stay_json(page: Any, ui_serve: ServeProcess) -> None:
    login(page)
    page.goto(f"/p/{PROJECT}/drift")
    page.reload()
    page.get_by_role("heading", name="Drift").wait_for()
    assert page.get_by_role("navigation", name="Breadcrumb").inner_text().replace("\n", " ").endswith("Drift")
    api = requests.get(f"{ui_serve.web}/api/v1/no-such-endpoint", timeout=10)
    assert api.status_code == 404 and api.headers["Content-Type"].startswith("application/json")
    index = requests.get(f"{ui_serve.web}/p/{PROJECT}/traces", timeout=10)
    assert index.status_code == 200 and "no-cache" in index.headers["Cache-Control"]
    asset = re.search(r'src="(/assets/[^"]+\.js)"', index.text)
    assert asset, index.text
    cached = requests.get(f"{ui_serve.web}{asset.group(1)}", timeout=10)
    assert cached.status_code == 200 and "immutable" in cached.headers["Cache-Control"]
    assert cached.headers["Content-Type"] in ("text/javascript", "application/javascript")


def test_a_wrong_password_is_explained_on_the_login_page(page: Any, ui_serve: ServeProcess) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill("admin@ui.example")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "wrong email or password" in alert.inner_text()
    assert page.url.endswith("/login")
