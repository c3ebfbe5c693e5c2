"""The dashboard counts the traces of the range per service and lists the models called."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import login
from tests.ui.telemetry import sdk_llm_trace

pytestmark = pytest.mark.browser

SERVICE = "ui-dashboard-bot"  # only this test sends it


def test_dashboard_shows_the_sent_traces_per_service(page: Any, ui_serve: ServeProcess) -> None:
    ids = [sdk_llm_trace(ui_serve, service=SERVICE, model="gpt-4o-mini", question=f"q{i}", answer="a",
                         input_tokens=10, output_tokens=3) for i in range(2)]
    for trace_id in ids:
        reply = requests.get(f"{ui_serve.web}/api/v1/traces/{trace_id}", headers={"X-API-Key": INIT_KEY}, timeout=30)
        assert reply.status_code == 200, reply.text

    login(page)
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    row = page.get_by_role("table", name="Top services").get_by_role("row").filter(has_text=SERVICE)
    row.wait_for()
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[:3] == [SERVICE, "2", "0"], cells
    page.get_by_role("table", name="Top models").get_by_role("row").filter(has_text="gpt-4o-mini").wait_for()
    assert page.get_by_test_id("dash-requests-count").inner_text().rstrip("+").replace(",", "").isdigit()
    page.get_by_label("Time range").select_option("1h")
    page.wait_for_url("**/dashboard?range=1h")
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("dash-costs").get_by_test_id("dash-cost").wait_for()
    assert row.get_by_role("cell").all_inner_texts()[:3] == [SERVICE, "2", "0"]
