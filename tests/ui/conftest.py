"""Browser tests: Debian's Chromium (/usr/bin/chromium, never a downloaded browser) driven by
Playwright against a real `pyflare serve` subprocess, fed by the pyflare SDK and the stock OTel SDK.

Every test saves a screenshot of its page under PYFLARE_TEST_ARTIFACTS (or the session's tmp dir);
the path is printed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve.running import INIT_KEY, ServeProcess, start_serve
from webapp.ui.views import DIST

CHROMIUM = os.environ.get("PYFLARE_CHROMIUM", "/usr/bin/chromium")
ADMIN_EMAIL = "admin@ui.example"
ADMIN_PASSWORD = "ui-tests-correct-horse-battery"
PROJECT = "ui-tests"


@pytest.fixture(scope="package")
def ui_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    if not (DIST / "index.html").is_file():
        pytest.fail(f"the web UI is not built ({DIST}); scripts/bootstrap builds it (npm ci && npm run build "
                    "in webapp/ui)", pytrace=False)
    process = start_serve(tmp_path_factory.mktemp("ui-serve"), {
        "PYFLARE_INIT_PROJECT": PROJECT,
        "PYFLARE_INIT_API_KEY": INIT_KEY,
        "PYFLARE_INIT_ADMIN_EMAIL": ADMIN_EMAIL,
        "PYFLARE_INIT_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PYFLARE_OTLP_REQUIRE_KEY": "true",
        "PYFLARE_OUTBOUND_ALLOW_CIDRS": "127.0.0.1/32",  # the notification-channel tests' local receiver
        "PYFLARE_TRACE_OUTLINE_MAX_SPANS": "2000",  # the large-trace test goes past it with 2,500 spans
    })
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("PYFLARE_TEST_ARTIFACTS")
    path = Path(configured) / "ui" if configured else tmp_path_factory.mktemp("ui-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


# Package scope: Playwright's sync API keeps an event loop running on the main thread while it is open,
# so it must be closed before tests outside tests/ui call asyncio.run().
@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: `apt-get install -y chromium` (.ci/run does)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, chromium: Any, ui_serve: ServeProcess, artifacts_dir: Path) -> Iterator[Any]:
    if request.node.get_closest_marker("browser") is None:
        pytest.fail(f"{request.node.nodeid} drives Chromium but is not marked @pytest.mark.browser", pytrace=False)
    context = chromium.new_context(base_url=ui_serve.web, viewport={"width": 1400, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        shot = artifacts_dir / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(shot), full_page=False)
            print(f"\nscreenshot: {shot}")
        finally:
            context.close()


def login(page: Any, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/p/{PROJECT}/traces")
