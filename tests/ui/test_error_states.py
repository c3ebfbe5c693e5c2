"""Errors explained in the browser: an expired or missing session sends the user to the login page
and back to where they were; a page the role may not read names the missing permission."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.serve.running import ServeProcess
from tests.ui.accounts import create_member
from tests.ui.conftest import PROJECT

pytestmark = pytest.mark.browser

OPERATOR_EMAIL = "operator@ui.example"
OPERATOR_PASSWORD = "ui-tests-operator-staple-horse"


def _sign_in(page: Any, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_no_session_goes_to_login_and_back_then_403_names_the_permission(page: Any, ui_serve: ServeProcess) -> None:
    create_member(ui_serve, OPERATOR_EMAIL, OPERATOR_PASSWORD, PROJECT, "operator")
    page.goto(f"/p/{PROJECT}/costs?range=7d")
    page.wait_for_url("**/login?next=**")
    _sign_in(page, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    page.wait_for_url(f"**/p/{PROJECT}/costs?range=7d")
    # an operator reads traces and drift but no costs: the page says which permission is missing
    expect(page.locator("main")).to_contain_text("costs:read")
    # the dashboard hides the cost section and names its permission too
    page.goto(f"/p/{PROJECT}/dashboard")
    expect(page.get_by_test_id("missing-permission")).to_contain_text("costs:read:own")
    # a session that ends mid-way (signed out elsewhere) sends the next call to the login page
    page.context.clear_cookies()
    page.goto(f"/p/{PROJECT}/traces")
    page.wait_for_url("**/login?next=**")
