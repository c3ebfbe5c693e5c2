"""The Anthropic integration with the real `anthropic` client against the local provider server."""

from __future__ import annotations

import asyncio
import json

import anthropic
import pytest
from llm_stub import CASES, attrs, children, stub_fixture  # noqa: F401

import pyflare

MODEL = "claude-sonnet-4-5"
TOOLS = [{"name": "get_weather", "description": "Weather of a city",
          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]  # fmt: skip


@pytest.fixture(autouse=True)
def instrumented():
    yield
    pyflare.uninstrument("anthropic")


def client(stub):
    return anthropic.Anthropic(base_url=stub.url, api_key="sk-ant-test", max_retries=0)


def ask(case: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"[case:{case}] Say hello"}]


def expected(case: str) -> dict:
    c = CASES[case]
    out = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": MODEL,
        "gen_ai.request.max_tokens": 100,
        "server.address": "127.0.0.1",
        "gen_ai.response.model": MODEL,
        # GenAI conventions: input tokens include cache reads and writes
        "gen_ai.usage.input_tokens": c.input_tokens + c.cache_read + c.cache_write,
        "gen_ai.usage.output_tokens": c.output_tokens,
        "gen_ai.response.finish_reasons": ["tool_use" if c.tool_call else "end_turn"],
    }
    if c.cache_read:
        out["gen_ai.usage.cache_read.input_tokens"] = c.cache_read
    if c.cache_write:
        out["gen_ai.usage.cache_creation.input_tokens"] = c.cache_write
    return out


def stable(a: dict) -> dict:
    return {
        k: v
        for k, v in a.items()
        if k not in ("server.port", "gen_ai.response.id", "pyflare.gen_ai.time_to_first_token")
    }


@pytest.mark.parametrize("case", ["messages", "messages-cache"])
def test_message_span_matches_the_answer(stub, captured, case):
    pyflare.instrument("anthropic")
    reply = client(stub).messages.create(model=MODEL, max_tokens=100, messages=ask(case))
    (span,) = captured.spans  # the client's own span is switched off while instrumented
    assert span.name == f"chat {MODEL}"
    assert stable(attrs(span)) == expected(case)
    assert attrs(span)["gen_ai.response.id"] == reply.id


def test_stream_records_usage_cache_and_first_token(stub, captured):
    def text(events):
        return "".join(e.delta.text for e in events if e.type == "content_block_delta")

    def call():
        return client(stub).messages.create(
            model=MODEL, max_tokens=100, messages=ask("messages-stream"), stream=True
        )

    plain = list(call())
    pyflare.instrument("anthropic")
    captured.exporter.clear()  # the uninstrumented call's own span
    events = list(call())
    assert [e.type for e in events] == [e.type for e in plain]
    assert text(events) == text(plain) == CASES["messages-stream"].text
    (span,) = captured.spans
    a = attrs(span)
    assert stable(a) == {**expected("messages-stream"), "gen_ai.request.stream": True}
    assert 0 < a["pyflare.gen_ai.time_to_first_token"] <= (span.end_time - span.start_time) / 1e9


@pytest.mark.parametrize("stream", [False, True])
def test_tool_use_is_a_child_span(stub, start, stream):
    captured = start()
    pyflare.instrument("anthropic", capture_content=True)
    result = client(stub).messages.create(
        model=MODEL, max_tokens=100, messages=ask("messages-tools"), tools=TOOLS, stream=stream
    )
    if stream:
        list(result)
    parent = captured.span(f"chat {MODEL}")
    (tool,) = children(captured.spans, parent)
    name, arguments = CASES["messages-tools"].tool_call
    assert tool.name == f"tool_call {name}"
    assert attrs(tool)["gen_ai.tool.call.arguments"] == arguments
    assert attrs(tool)["gen_ai.tool.call.id"].startswith("toolu_")
    (message,) = json.loads(attrs(parent)["gen_ai.output.messages"])
    assert message["parts"] == [{"type": "tool_call", "id": attrs(tool)["gen_ai.tool.call.id"], "name": name,
                                 "arguments": json.loads(arguments)}]  # fmt: skip
    assert message["finish_reason"] == "tool_use"


def test_async_messages_and_errors(stub, captured):
    pyflare.instrument("anthropic")
    aclient = anthropic.AsyncAnthropic(base_url=stub.url, api_key="sk-ant-test", max_retries=0)

    async def run():
        await aclient.messages.create(model=MODEL, max_tokens=100, messages=ask("messages-cache"))
        with pytest.raises(anthropic.RateLimitError):
            await aclient.messages.create(
                model=MODEL, max_tokens=100, messages=[{"role": "user", "content": "[error:429]"}]
            )

    asyncio.run(run())
    ok, failed = sorted(captured.spans, key=lambda s: s.start_time)
    assert stable(attrs(ok)) == expected("messages-cache")
    assert attrs(failed)["pyflare.error.category"] == "rate_limit"
    assert failed.status.status_code.name == "ERROR"


def test_uninstrument_gives_the_client_its_own_spans_back(stub):
    base = anthropic._base_client.BaseClient
    own = base.__dict__["_tracer"]
    pyflare.instrument("anthropic")
    assert base.__dict__["_tracer"] is not own
    pyflare.uninstrument("anthropic")
    assert base.__dict__["_tracer"] is own
