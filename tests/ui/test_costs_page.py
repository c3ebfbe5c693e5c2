"""The costs page shows the dollars the sent tokens cost at the published price, computed here."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

MODEL = "gpt-4.1-mini"  # no other UI test sends it, so its total is this test's spans only
# OpenAI's published price for gpt-4.1-mini (https://openai.com/api/pricing/, April 2025), USD per 1M tokens
INPUT_USD_PER_MTOK = Decimal("0.40")
OUTPUT_USD_PER_MTOK = Decimal("1.60")
CALLS = [(1_200_000, 250_000), (800_000, 100_000), (400_000, 1_212_500)]  # (input, output) tokens


def _send_chat_spans(serve: ServeProcess) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": "ui-costs", "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.costs")
    try:
        for input_tokens, output_tokens in CALLS:
            with tracer.start_as_current_span(f"chat {MODEL}") as span:
                span.set_attributes({
                    "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": MODEL,
                    "gen_ai.usage.input_tokens": input_tokens, "gen_ai.usage.output_tokens": output_tokens,
                })
    finally:
        provider.shutdown()


def test_costs_page_total_matches_the_published_price(page: Any, ui_serve: ServeProcess) -> None:
    _send_chat_spans(ui_serve)
    input_tokens = sum(i for i, _ in CALLS)
    output_tokens = sum(o for _, o in CALLS)
    expected = (input_tokens * INPUT_USD_PER_MTOK + output_tokens * OUTPUT_USD_PER_MTOK) / 1_000_000
    assert expected == Decimal("3.46")  # 2.4M in x $0.40 + 1.5625M out x $1.60, the arithmetic checked by hand

    login(page)
    page.goto(f"/p/{PROJECT}/costs?range=24h&model={MODEL}")
    page.get_by_role("heading", name="Costs").wait_for()
    total = page.get_by_test_id("cost-total")
    page.wait_for_function(
        "([el, want]) => el.textContent === want", arg=[total.element_handle(), f"${expected:,.2f}"], timeout=30_000,
    )
    summary = page.get_by_test_id("cost-summary").inner_text()
    assert "3" in summary and f"{input_tokens:,}" in summary and f"{output_tokens:,}" in summary
    row = page.get_by_test_id("breakdown-row").filter(has_text=MODEL)
    row.wait_for()
    assert f"${expected:,.2f}" in row.inner_text()
    # token usage: the stacked bars' legend adds up the input and output layers
    usage = page.get_by_test_id("token-usage").inner_text()
    assert f"Input {input_tokens:,}" in usage and f"Output {output_tokens:,}" in usage
    # the CSV export of the same range and model carries the same dollars
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert {row["model"] for row in rows} == {MODEL}
    assert sum(Decimal(row["total_cost_usd"]) for row in rows) == expected
    # a budget made in the page reports the spend against its limit
    page.get_by_role("button", name="New budget").click()
    form = page.get_by_role("form", name="New budget")
    form.get_by_label("Name").fill("ui model cap")
    form.get_by_label("Scope").select_option("model")
    form.get_by_label("Value").fill(MODEL)
    form.get_by_label("Period").select_option("daily")
    form.get_by_label("Limit (USD)").fill("10")
    form.get_by_role("button", name="Create budget").click()
    budget = page.get_by_test_id("budget-row").filter(has_text="ui model cap")
    budget.get_by_text(f"${expected:,.2f} / $10.00").wait_for()
    used = float(budget.get_by_role("meter").get_attribute("aria-valuenow"))
    assert used == pytest.approx(float(expected / 10 * 100))  # percent of the $10 limit
    budget.scroll_into_view_if_needed()
