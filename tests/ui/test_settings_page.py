"""Settings: an API key created in the page works for an API call and stops working once revoked;
a viewer sees none of the actions an admin sees; an admin removes, adds and re-roles a member."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.accounts import create_member
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

VIEWER_EMAIL = "viewer@ui.example"
VIEWER_PASSWORD = "ui-tests-viewer-staple-battery"


def _me(serve: ServeProcess, key: str) -> requests.Response:
    return requests.get(f"{serve.web}/api/v1/traces", params={"limit": 1}, timeout=30,
                        headers={"X-API-Key": key, "X-PyFlare-Project": PROJECT})


def test_api_key_created_in_settings_works_until_revoked(page: Any, ui_serve: ServeProcess) -> None:
    login(page)
    page.goto(f"/p/{PROJECT}/settings?tab=keys")
    form = page.get_by_role("form", name="Create API key")
    form.get_by_label("Key name").fill("ui exporter")
    form.get_by_label("Role").select_option("developer")
    form.get_by_role("button", name="Create API key").click()
    key = page.get_by_test_id("new-key-value").inner_text().strip()
    assert len(key) > 20
    assert _me(ui_serve, key).status_code == 200

    row = page.get_by_test_id("key-row").filter(has_text="ui exporter")
    assert "active" in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke ui exporter").click()
    row.get_by_text("revoked").wait_for()
    refused = _me(ui_serve, key)
    assert refused.status_code == 401, refused.text
    # the secret is shown once: a reload lists the key by prefix only
    page.reload()
    page.get_by_test_id("key-row").filter(has_text="ui exporter").wait_for()
    assert key not in page.content()


ADMIN_ACTIONS = {
    "members": ["Add member"],
    "keys": ["Create API key"],
    "channels": ["New channel"],
}


def _visible_actions(page: Any) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for tab, names in ADMIN_ACTIONS.items():
        page.goto(f"/p/{PROJECT}/settings?tab={tab}")
        page.get_by_role("heading", name="Settings").wait_for()
        page.locator(".card").first.wait_for()
        page.wait_for_load_state("networkidle")
        seen[tab] = [n for n in names if page.get_by_role("button", name=n).count() > 0]
        if tab == "members":
            page.get_by_test_id("member-row").first.wait_for()
            seen[tab] += ["role select"] * page.get_by_role("combobox", name="Role of admin@ui.example").count()
            seen[tab] += ["remove"] * page.get_by_role("button", name="Remove admin@ui.example").count()
    return seen


def test_viewer_does_not_see_the_admin_settings_actions(page: Any, ui_serve: ServeProcess) -> None:
    create_member(ui_serve, VIEWER_EMAIL, VIEWER_PASSWORD, PROJECT, "viewer")
    login(page)
    admin = _visible_actions(page)
    assert admin == {"members": ["Add member", "role select", "remove"], "keys": ["Create API key"],
                     "channels": ["New channel"]}

    page.context.clear_cookies()
    login(page, VIEWER_EMAIL, VIEWER_PASSWORD)
    viewer = _visible_actions(page)
    assert viewer == {"members": [], "keys": [], "channels": []}
    assert page.get_by_test_id("missing-permission").inner_text().count("alerts:read") == 1
    page.goto(f"/p/{PROJECT}/settings?tab=members")
    # exactly this member's row (another test adds alerts-viewer@ui.example)
    page.get_by_test_id("member-row").filter(has=page.get_by_text(VIEWER_EMAIL, exact=True)).wait_for()
    assert page.get_by_test_id("my-role").inner_text() == "viewer"


MEMBER_EMAIL = "member-roles@ui.example"
MEMBER_PASSWORD = "ui-tests-member-roles-staple"


def _members(serve: ServeProcess) -> dict[str, str]:
    reply = requests.get(f"{serve.web}/api/v1/members", timeout=30,
                         headers={"X-API-Key": INIT_KEY, "X-PyFlare-Project": PROJECT})
    assert reply.status_code == 200, reply.text
    return {m["email"]: m["role"] for m in reply.json()}


def test_admin_removes_adds_and_changes_the_role_of_a_member(page: Any, ui_serve: ServeProcess) -> None:
    # an existing user (PyFlare has no sign-up: an operator made the account), a viewer here
    create_member(ui_serve, MEMBER_EMAIL, MEMBER_PASSWORD, PROJECT, "viewer")
    login(page)
    page.goto(f"/p/{PROJECT}/settings?tab=members")
    members = page.get_by_role("table", name="Members")
    page.once("dialog", lambda dialog: dialog.accept())  # "Remove … from …?"
    members.get_by_role("button", name=f"Remove {MEMBER_EMAIL}").click()
    members.get_by_text(MEMBER_EMAIL).wait_for(state="detached")
    assert MEMBER_EMAIL not in _members(ui_serve)

    form = page.get_by_role("form", name="Add member")
    form.get_by_label("Email").fill(MEMBER_EMAIL)
    form.get_by_label("Role").select_option("operator")
    form.get_by_role("button", name="Add member").click()
    role = members.get_by_role("combobox", name=f"Role of {MEMBER_EMAIL}")
    expect(role).to_have_value("operator")
    assert _members(ui_serve)[MEMBER_EMAIL] == "operator"

    role.select_option("developer")
    for _ in range(50):
        if _members(ui_serve)[MEMBER_EMAIL] == "developer":
            break
        page.wait_for_timeout(100)
    assert _members(ui_serve)[MEMBER_EMAIL] == "developer"
    page.reload()
    expect(page.get_by_role("combobox", name=f"Role of {MEMBER_EMAIL}")).to_have_value("developer")
