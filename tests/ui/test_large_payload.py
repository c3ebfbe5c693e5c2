"""A 20 MB LLM payload (gen_ai.input.messages) does not freeze the trace page: the span panel says the
value is above the 2 MB gate instead of parsing it, offers it as a download in the JSON view, shows
2,000 characters of it among the attributes, and the page keeps answering the keyboard."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

MESSAGE = {"role": "user", "parts": [{"type": "text", "content": "x" * 990}]}


def _send(serve: ServeProcess, service: str, messages: str) -> tuple[str, str]:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY},
                                timeout=60)
    provider = TracerProvider(resource=Resource.create({"service.name": service, "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.payload")
    with tracer.start_as_current_span("summarise archive") as root:
        trace_id = format(root.get_span_context().trace_id, "032x")
        with tracer.start_as_current_span("chat gpt-4o") as llm:
            span_id = format(llm.get_span_context().span_id, "016x")
            llm.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": 5_000_000, "gen_ai.usage.output_tokens": 10,
                "gen_ai.input.messages": messages,
            })
    provider.shutdown()
    return trace_id, span_id


def test_a_20_mb_payload_is_gated_and_the_page_stays_responsive(page: Any, ui_serve: ServeProcess) -> None:
    messages = json.dumps([MESSAGE] * 20_000)
    assert len(messages) > 20_000_000
    trace_id, span_id = _send(ui_serve, f"payload-{uuid.uuid4().hex[:6]}", messages)
    for _ in range(150):
        reply = requests.get(f"{ui_serve.web}/api/v1/traces/{trace_id}/span-details", params={"span_id": span_id},
                             headers={"X-API-Key": INIT_KEY}, timeout=60)
        if reply.status_code == 200 and reply.json()["spans"]:
            break
        time.sleep(0.2)
    stored = reply.json()["spans"][0]["attributes"]["gen_ai.input.messages"]
    assert len(stored) == len(messages)  # stored whole: the gate is the page's, not the store's
    megabytes = f"{len(messages) / 1e6:.1f} MB"

    login(page)
    page.goto(f"/p/{PROJECT}/traces/{trace_id}?span={span_id}")
    panel = page.get_by_test_id("span-panel")
    panel.get_by_role("tab", name="Messages").click()
    transcript = panel.get_by_test_id("transcript")
    expect(transcript).to_contain_text(f"gen_ai.input.messages is {megabytes}: not parsed (above the 2 MB gate)")
    # what the chat shows is the span's short preview, never the 20 MB
    shown = transcript.get_by_test_id("chat-message").evaluate_all("els => els.map(e => e.innerText.length)")
    assert shown and max(shown) < 10_000, shown
    transcript.get_by_role("tab", name="JSON").click()
    expect(transcript).to_contain_text(f"{megabytes} — too large to show here")
    expect(transcript.get_by_role("link", name="Download it")).to_have_attribute("download", "value.txt")
    panel.get_by_role("tab", name="Attributes (").click()
    assert "show all" not in panel.inner_text()  # above 2 MB: no button that would render it whole
    # the main thread is free: the keyboard moves the selection to the root span at once
    page.get_by_role("tree", name="Spans").press("ArrowUp")
    expect(page.get_by_test_id("span-panel").get_by_role("heading", level=2)).to_have_text("summarise archive")
    longest = page.evaluate("""() => new Promise((done) => {
        let worst = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) worst = Math.max(worst, e.duration); })
          .observe({ type: "longtask", buffered: true });
        setTimeout(() => done(worst), 300);
    })""")
    print(f"\nlongest main-thread task while the 20 MB span was open: {longest:.0f} ms")
