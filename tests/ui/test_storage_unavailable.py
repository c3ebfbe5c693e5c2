"""Storage unavailable, for real: a `pyflare serve` of its own whose ClickHouse engine directory is
moved away after a trace was stored. Every telemetry read then fails inside the engine (it cannot open
the table's part files), the API answers 503, and each page says the store is unavailable in words,
not a status code, while the shell (sign-in, navigation) keeps working."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess, start_serve
from tests.ui.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PROJECT
from tests.ui.telemetry import otel_genai_trace

pytestmark = pytest.mark.browser


@pytest.fixture
def broken_serve(tmp_path: Path) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path / "serve", {
        "PYFLARE_INIT_PROJECT": PROJECT,
        "PYFLARE_INIT_API_KEY": INIT_KEY,
        "PYFLARE_INIT_ADMIN_EMAIL": ADMIN_EMAIL,
        "PYFLARE_INIT_ADMIN_PASSWORD": ADMIN_PASSWORD,
    })
    try:
        yield process
    finally:
        process.kill()


def _trace_stored(serve: ServeProcess, trace_id: str) -> None:
    for _ in range(150):
        reply = requests.get(f"{serve.web}/api/v1/traces/{trace_id}", headers={"X-API-Key": INIT_KEY}, timeout=30)
        if reply.status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"trace {trace_id} was not stored")


def test_pages_say_storage_is_unavailable_when_clickhouse_cannot_read(
    broken_serve: ServeProcess, chromium: Any, artifacts_dir: Path,
) -> None:
    trace_id = otel_genai_trace(broken_serve, service="unavailable-store", model="gpt-4o-mini")
    _trace_stored(broken_serve, trace_id)
    store = broken_serve.data_dir / "clickhouse" / "store"
    assert store.is_dir(), list((broken_serve.data_dir / "clickhouse").iterdir())
    shutil.move(store, store.with_name("store.moved-away"))
    # the engine now fails on the table's files: the API says so with a 503 and the engine's reason
    reply = requests.get(f"{broken_serve.web}/api/v1/traces/{trace_id}/outline", headers={"X-API-Key": INIT_KEY},
                         timeout=30)
    assert reply.status_code == 503, reply.text
    assert "No such file or directory" in reply.json()["message"]

    context = chromium.new_context(base_url=broken_serve.web, viewport={"width": 1400, "height": 860})
    page = context.new_page()
    page.set_default_timeout(20_000)  # the UI retries a 503 twice before it gives up
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(ADMIN_EMAIL)
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/p/{PROJECT}/traces")
        for path in ("traces", f"traces/{trace_id}", "dashboard", f"compare?a={trace_id}&b={trace_id}"):
            page.goto(f"/p/{PROJECT}/{path}")
            error = page.get_by_test_id("error-view").first
            expect(error).to_contain_text("Storage is unavailable")
            expect(error).to_contain_text("No such file or directory")  # the engine's reason reaches the page
            expect(error).not_to_contain_text("503")
            expect(page.get_by_role("navigation").first).to_be_visible()  # the shell still works
            page.screenshot(path=str(artifacts_dir / f"storage_unavailable_{path.split('?')[0].replace('/', '_')}.png"))
    finally:
        context.close()
