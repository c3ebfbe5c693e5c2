"""A project without telemetry: made in Settings, reached through the project switcher with the
keyboard, its trace list shows how to send the first trace — a snippet naming this server's OTLP
endpoint and the project, which the copy button puts on the clipboard as shown."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.serve.running import ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser


def test_an_empty_project_shows_the_first_trace_snippet(page: Any, ui_serve: ServeProcess) -> None:
    slug = f"zz-empty-{uuid.uuid4().hex[:6]}"  # sorts after the tests' project: sign-in lands there
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_serve.web)
    login(page)
    page.goto(f"/p/{PROJECT}/settings?tab=projects")
    form = page.get_by_role("form", name="New project")
    form.get_by_label("Name").fill(slug)
    form.get_by_label("Slug").fill(slug)
    form.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("table", name="Projects")).to_contain_text(slug)

    # the switcher is a menu reachable from the keyboard: focus, open with Enter, pick with arrows
    switcher = page.get_by_test_id("project-switcher")
    switcher.focus()
    switcher.press("Enter")
    item = page.get_by_role("menuitem").filter(has_text=slug)
    expect(item).to_be_visible()
    for _ in range(page.get_by_role("menuitem").count()):
        if item.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/p/{slug}/settings**")

    page.goto(f"/p/{slug}/traces")
    empty = page.get_by_test_id("first-trace")
    expect(empty).to_contain_text(ui_serve.otlp_http)
    snippet = empty.get_by_label("snippet", exact=True)
    expect(snippet).to_contain_text(f'endpoint="{ui_serve.otlp_http}", project="{slug}"')
    empty.get_by_role("tab", name="OpenTelemetry env").click()
    expect(snippet).to_contain_text(f"OTEL_EXPORTER_OTLP_ENDPOINT={ui_serve.otlp_http}")
    expect(snippet).to_contain_text(f"OTEL_RESOURCE_ATTRIBUTES=pyflare.project={slug}")
    empty.get_by_role("button", name="Copy snippet").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == snippet.inner_text()
