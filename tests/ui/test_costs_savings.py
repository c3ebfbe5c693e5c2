"""The costs page's savings: the same prompt sent four times is a caching recommendation whose saving
is the cost of the three repeats, computed here from the published price."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
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

MODEL = "gpt-4o-2024-08-06"  # no other UI test sends it
# OpenAI's published price for gpt-4o-2024-08-06 (https://openai.com/api/pricing/): $2.50 per 1M input tokens
INPUT_USD_PER_MTOK = Decimal("2.50")
INPUT_TOKENS = 100_000
REPEATS = 4


def _send(serve: ServeProcess, prompt: str) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": "ui-savings", "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.savings")
    messages = json.dumps([{"role": "user", "parts": [{"type": "text", "content": prompt}]}])
    try:
        for _ in range(REPEATS):
            with tracer.start_as_current_span(f"chat {MODEL}") as span:
                span.set_attributes({
                    "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": MODEL,
                    "gen_ai.usage.input_tokens": INPUT_TOKENS, "gen_ai.usage.output_tokens": 0,
                    "gen_ai.input.messages": messages,
                })
    finally:
        provider.shutdown()


def test_a_repeated_prompt_is_a_caching_recommendation_worth_its_repeats(page: Any, ui_serve: ServeProcess) -> None:
    _send(ui_serve, f"Summarise the weekly report {uuid.uuid4().hex}")
    per_call = INPUT_TOKENS * INPUT_USD_PER_MTOK / 1_000_000
    total, saving = per_call * REPEATS, per_call * (REPEATS - 1)
    assert (total, saving) == (Decimal("1.00"), Decimal("0.75"))  # checked by hand

    login(page)
    page.goto(f"/p/{PROJECT}/costs?range=24h&model={MODEL}")
    expect(page.get_by_test_id("cost-total")).to_have_text(f"${total:,.2f}", timeout=30_000)
    item = page.get_by_test_id("recommendations").get_by_role("listitem").filter(
        has_text=f"Cache responses to a prompt sent {REPEATS} times to {MODEL}")
    expect(item).to_contain_text(f"save ${saving:.4f}")  # below $1 the page shows four decimals
    page.get_by_test_id("recommendations").scroll_into_view_if_needed()
