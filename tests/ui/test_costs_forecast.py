"""The costs page's forecast: four weeks of the same daily spend (one call a day, sent with its past
time) forecast the next 14 days at 14 times that spend, inside the band the page draws."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

MODEL = "gpt-4.1"  # no other UI test sends it
# OpenAI's published price for gpt-4.1 (https://openai.com/api/pricing/, April 2025): $2.00 per 1M input tokens
DAILY_INPUT_TOKENS = 500_000  # $1.00 a day
DAYS = 28


def _send_history(serve: ServeProcess) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": "ui-forecast", "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.forecast")
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    try:
        for back in range(1, DAYS + 1):
            start = int((today - timedelta(days=back)).timestamp() * 1e9)
            span = tracer.start_span(f"chat {MODEL}", start_time=start)
            span.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": MODEL,
                "gen_ai.usage.input_tokens": DAILY_INPUT_TOKENS, "gen_ai.usage.output_tokens": 0,
            })
            span.end(end_time=start + 1_000_000_000)
    finally:
        provider.shutdown()


def _dollars(text: str) -> list[float]:
    return [float(v.replace(",", "")) for v in re.findall(r"\$([\d,]+\.\d\d)", text)]


def test_a_flat_daily_spend_forecasts_fourteen_times_that_spend(page: Any, ui_serve: ServeProcess) -> None:
    _send_history(ui_serve)
    time.sleep(1)
    login(page)
    # spans of past days join hours the rollup settled already at its next minutely run: reload until then
    want, deadline = f"${DAYS * 1.00:,.2f}", time.monotonic() + 150
    while True:
        page.goto(f"/p/{PROJECT}/costs?range=30d&model={MODEL}")
        try:
            expect(page.get_by_test_id("cost-total")).to_have_text(want, timeout=10_000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    forecast = page.get_by_test_id("forecast")
    expect(forecast).to_contain_text("Expected", timeout=30_000)
    mean, lower, upper = _dollars(forecast.get_by_text("Expected").inner_text())[:3]
    assert mean == pytest.approx(14.00, abs=0.05)  # 14 days x $1.00
    assert lower <= mean <= upper
    expect(forecast.get_by_role("img")).to_have_count(1)  # the history and the band, drawn
