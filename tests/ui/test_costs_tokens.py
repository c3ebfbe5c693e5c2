"""The costs page's token usage stacks input, cached input, output and reasoning so the stack adds up
once (OpenAI counts cache reads inside input and reasoning inside output), and a model the price
table does not know is listed as unpriced with its tokens."""

from __future__ import annotations

import uuid
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

MODEL = "gpt-4.1-nano"  # no other UI test sends it
# (input incl. cache reads, cache reads, output incl. reasoning, reasoning) per call
CALLS = [(10_000, 4_000, 5_000, 2_000), (3_000, 0, 1_500, 500)]


def _send(serve: ServeProcess, unpriced: str) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": "ui-tokens", "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.tokens")
    try:
        for inp, cached, out, reasoning in CALLS:
            with tracer.start_as_current_span(f"chat {MODEL}") as span:
                span.set_attributes({
                    "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": MODEL,
                    "gen_ai.usage.input_tokens": inp, "gen_ai.usage.output_tokens": out,
                    "gen_ai.usage.cache_read.input_tokens": cached, "gen_ai.usage.reasoning.output_tokens": reasoning,
                })
        with tracer.start_as_current_span(f"chat {unpriced}") as span:
            span.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "acme", "gen_ai.request.model": unpriced,
                "gen_ai.usage.input_tokens": 321, "gen_ai.usage.output_tokens": 123,
            })
    finally:
        provider.shutdown()


def test_token_usage_stacks_cached_and_reasoning_and_unpriced_models_are_listed(
    page: Any, ui_serve: ServeProcess,
) -> None:
    unpriced = f"acme-inhouse-{uuid.uuid4().hex[:6]}"
    _send(ui_serve, unpriced)
    plain_input = sum(i - c for i, c, _, _ in CALLS)
    cached = sum(c for _, c, _, _ in CALLS)
    plain_output = sum(o - r for _, _, o, r in CALLS)
    reasoning = sum(r for _, _, _, r in CALLS)
    assert (plain_input, cached, plain_output, reasoning) == (9_000, 4_000, 4_000, 2_500)  # checked by hand

    login(page)
    page.goto(f"/p/{PROJECT}/costs?range=24h&model={MODEL}")
    usage = page.get_by_test_id("token-usage")
    expect(usage).to_contain_text(f"Input {plain_input:,}", timeout=30_000)
    expect(usage).to_contain_text(f"Cached input {cached:,}")
    expect(usage).to_contain_text(f"Output {plain_output:,}")
    expect(usage).to_contain_text(f"Reasoning {reasoning:,}")

    page.goto(f"/p/{PROJECT}/costs?range=24h")
    row = page.get_by_role("table", name="Unpriced models").get_by_role("row").filter(has_text=unpriced)
    expect(row).to_contain_text("acme", timeout=30_000)
    expect(row).to_contain_text("321 / 123")
    page.get_by_test_id("unpriced").scroll_into_view_if_needed()
