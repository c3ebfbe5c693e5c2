"""Costs by model family drill down to the dated model ids: the page's figures are the sums of the
stored per-call cost rows (read through the SQL endpoint), family and ids as the costs store has them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

# only this test sends these: one family, two ids
CALLS = [("claude-3-5-haiku-20241022", 400_000, 90_000), ("claude-3-5-haiku-20241022", 100_000, 10_000),
         ("claude-3-5-haiku-latest", 250_000, 40_000)]  # fmt: skip


def _send(serve: ServeProcess) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": "ui-families", "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.families")
    try:
        for model, input_tokens, output_tokens in CALLS:
            with tracer.start_as_current_span(f"chat {model}") as span:
                span.set_attributes({
                    "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": model,
                    "gen_ai.usage.input_tokens": input_tokens, "gen_ai.usage.output_tokens": output_tokens,
                })  # fmt: skip
    finally:
        provider.shutdown()


def _stored_costs(serve: ServeProcess) -> list[list[Any]]:
    sql = "SELECT model_family, model_id, toString(total_cost_usd) FROM costs WHERE model_id LIKE 'claude-3-5-haiku%'"
    reply = requests.post(f"{serve.web}/api/v1/query", json={"sql": sql}, timeout=60,
                          headers={"X-API-Key": INIT_KEY, "X-PyFlare-Project": PROJECT})  # fmt: skip
    assert reply.status_code == 200, reply.text
    return reply.json()["rows"]


def test_a_model_family_drills_down_to_its_dated_ids(page: Any, ui_serve: ServeProcess) -> None:
    _send(ui_serve)
    rows: list[list[Any]] = []
    for _ in range(100):
        rows = _stored_costs(ui_serve)
        if len(rows) == len(CALLS):
            break
        page.wait_for_timeout(200)
    assert len(rows) == len(CALLS), rows
    families = {r[0] for r in rows}
    assert len(families) == 1, families
    family = families.pop()
    by_id: dict[str, Decimal] = defaultdict(Decimal)
    for _, model, cost in rows:
        by_id[model] += Decimal(cost)
    assert all(v > 0 for v in by_id.values())  # priced at the published price

    login(page)
    page.goto(f"/p/{PROJECT}/costs?range=24h")
    page.get_by_role("group", name="Break down by").get_by_role("button", name="model family").click()
    family_row = page.get_by_test_id("breakdown-row").filter(has_text=family)
    family_row.wait_for()
    assert f"${sum(by_id.values()):,.2f}" in family_row.inner_text()
    family_row.get_by_role("button", name=f"Model ids of {family}").click()
    page.get_by_test_id("breakdown-family").wait_for()
    table = page.get_by_role("table", name=f"Cost by model in family {family}")
    for model, cost in by_id.items():
        row = table.get_by_test_id("breakdown-row").filter(has_text=model)
        row.wait_for()
        assert f"${cost:,.2f}" in row.inner_text()
    assert table.get_by_test_id("breakdown-row").count() == len(by_id)
    page.get_by_role("button", name="← all model families").click()
    family_row.wait_for()
