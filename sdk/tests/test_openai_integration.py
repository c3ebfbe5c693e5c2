"""The OpenAI integration with the real `openai` client against the local provider server: each span's
attributes compared with what the server answered (examples/provider_stub.py CASES)."""

from __future__ import annotations

import asyncio
import json
import time

import openai
import pytest
from llm_stub import CASES, DATED, attrs, children, provider_stub, silent_port_fixture, stub_fixture  # noqa: F401

import pyflare
from pyflare.integrations import openai as pyflare_openai

BASE = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "server.address": "127.0.0.1",
}


@pytest.fixture(autouse=True)
def instrumented():
    yield
    pyflare.uninstrument("openai")


def client(stub, **kw):
    return openai.OpenAI(base_url=f"{stub.url}/v1", api_key="sk-test", max_retries=0, **kw)


def ask(case: str, text: str = "What is the capital of France?") -> list[dict[str, str]]:
    return [{"role": "user", "content": f"[case:{case}] {text}"}]


def expected_chat(case: str, model: str = "gpt-4o-mini") -> dict:
    c = CASES[case]
    out = {
        **BASE,
        "gen_ai.request.model": model,
        "gen_ai.response.model": DATED.get(model, model),
        "gen_ai.usage.input_tokens": c.input_tokens,
        "gen_ai.usage.output_tokens": c.output_tokens,
        "gen_ai.response.finish_reasons": ["tool_calls" if c.tool_call else "stop"],
    }
    if c.cache_read:
        out["gen_ai.usage.cache_read.input_tokens"] = c.cache_read
    if c.extra.get("reasoning"):
        out["gen_ai.usage.reasoning.output_tokens"] = c.extra["reasoning"]
    return out


def without_volatile(a: dict) -> dict:
    return {k: v for k, v in a.items() if k not in ("server.port", "gen_ai.response.id")}


@pytest.mark.parametrize("case", ["chat", "chat-cached", "chat-reasoning"])
def test_chat_span_matches_the_answer(stub, captured, case):
    pyflare.instrument("openai")
    answer = client(stub).chat.completions.create(model="gpt-4o-mini", messages=ask(case), temperature=0.2)
    span = captured.span("chat gpt-4o-mini")
    a = attrs(span)
    assert a["gen_ai.response.id"] == answer.id
    assert a["server.port"] == int(stub.url.rsplit(":", 1)[1])
    assert without_volatile(a) == {**expected_chat(case), "gen_ai.request.temperature": 0.2}
    assert span.kind.name == "CLIENT"


def test_content_is_not_captured_by_default_and_is_json_messages_when_asked(stub, start):
    captured = start(redact=True)
    pyflare.instrument("openai")
    client(stub).chat.completions.create(model="gpt-4o-mini", messages=ask("chat"))
    assert not any(
        k.startswith(("gen_ai.input", "gen_ai.output")) for k in captured.span("chat gpt-4o-mini").attributes
    )
    captured.exporter.clear()

    pyflare.instrument("openai", capture_content=True)
    messages = [{"role": "system", "content": "Be brief."}, *ask("chat", "mail me at ana@example.com")]
    client(stub).chat.completions.create(model="gpt-4o-mini", messages=messages)
    a = attrs(captured.span("chat gpt-4o-mini"))
    assert json.loads(a["gen_ai.input.messages"]) == [
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        {"role": "user", "parts": [{"type": "text", "content": "[case:chat] mail me at [REDACTED_EMAIL]"}]},
    ]
    assert json.loads(a["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": CASES["chat"].text}],
            "finish_reason": "stop",
        }
    ]


def test_tool_calls_are_child_spans_with_their_arguments(stub, start):
    captured = start()
    pyflare.instrument("openai", capture_content=True)
    answer = client(stub).chat.completions.create(model="gpt-4o-mini", messages=ask("tools"))
    (call,) = answer.choices[0].message.tool_calls
    parent = captured.span("chat gpt-4o-mini")
    (tool,) = children(captured.spans, parent)
    assert tool.name == "tool_call get_weather"
    assert attrs(tool) == {
        "gen_ai.tool.type": "function",
        "gen_ai.tool.name": CASES["tools"].tool_call[0],
        "gen_ai.tool.call.id": call.id,
        "gen_ai.tool.call.arguments": CASES["tools"].tool_call[1],
    }
    assert json.loads(attrs(parent)["gen_ai.output.messages"])[0]["parts"] == [
        {"type": "tool_call", "id": call.id, "name": "get_weather", "arguments": {"city": "Paris"}}
    ]


def _dump(chunks):
    return [c.model_dump(exclude={"id"}) for c in chunks]


def test_stream_gets_usage_without_changing_what_the_caller_receives(stub, captured):
    plain = list(
        client(stub).chat.completions.create(model="gpt-4o-mini", messages=ask("stream-usage"), stream=True)
    )
    pyflare.instrument("openai")
    seen = list(
        client(stub).chat.completions.create(model="gpt-4o-mini", messages=ask("stream-usage"), stream=True)
    )
    assert _dump(seen) == _dump(plain)  # no usage-only chunk leaks to the caller
    span = captured.span("chat gpt-4o-mini")
    a = attrs(span)
    assert without_volatile(a) == {
        **expected_chat("stream-usage"),
        "gen_ai.request.stream": True,
        "pyflare.gen_ai.time_to_first_token": a["pyflare.gen_ai.time_to_first_token"],
    }
    assert 0 < a["pyflare.gen_ai.time_to_first_token"] <= (span.end_time - span.start_time) / 1e9
    assert a["gen_ai.response.id"] == seen[0].id


def test_stream_where_the_caller_asked_for_usage_keeps_the_usage_chunk(stub, captured):
    pyflare.instrument("openai")
    with client(stub).chat.completions.create(
        model="gpt-4o-mini", messages=ask("stream-usage"), stream=True, stream_options={"include_usage": True}
    ) as stream:
        seen = list(stream)
    assert seen[-1].usage.prompt_tokens == CASES["stream-usage"].input_tokens
    assert (
        attrs(captured.span("chat gpt-4o-mini"))["gen_ai.usage.output_tokens"]
        == CASES["stream-usage"].output_tokens
    )


def test_streamed_tool_call_is_a_child_span(stub, captured):
    pyflare.instrument("openai")
    list(client(stub).chat.completions.create(model="gpt-4o-mini", messages=ask("tools"), stream=True))
    parent = captured.span("chat gpt-4o-mini")
    (tool,) = children(captured.spans, parent)
    assert attrs(tool)["gen_ai.tool.call.arguments"] == CASES["tools"].tool_call[1]
    assert attrs(parent)["gen_ai.response.finish_reasons"] == ["tool_calls"]


def test_responses_api(stub, captured):
    pyflare.instrument("openai")
    answer = client(stub).responses.create(model="gpt-4.1-mini", input="[case:responses] Say hello in French")
    a = attrs(captured.span("chat gpt-4.1-mini"))
    c = CASES["responses"]
    assert without_volatile(a) == {
        **BASE,
        "gen_ai.request.model": "gpt-4.1-mini",
        "gen_ai.response.model": DATED["gpt-4.1-mini"],
        "gen_ai.usage.input_tokens": c.input_tokens,
        "gen_ai.usage.output_tokens": c.output_tokens,
        "gen_ai.response.finish_reasons": ["completed"],
    }
    assert a["gen_ai.response.id"] == answer.id


def test_embeddings_and_legacy_completions(stub, captured):
    pyflare.instrument("openai")
    oai = client(stub)
    vectors = oai.embeddings.create(model="text-embedding-3-small", input="[case:embeddings] text")
    oai.completions.create(model="gpt-3.5-turbo-instruct", prompt="[case:completion] Two French cities:")
    e = attrs(captured.span("embeddings text-embedding-3-small"))
    assert e["gen_ai.usage.input_tokens"] == CASES["embeddings"].input_tokens
    assert e["gen_ai.embeddings.dimension.count"] == len(vectors.data[0].embedding)
    assert e["gen_ai.operation.name"] == "embeddings"  # the server derives inference type "embedding" from it
    assert not any(k.startswith("pyflare.model") or k == "pyflare.inference.type" for k in e)
    t = attrs(captured.span("text_completion gpt-3.5-turbo-instruct"))
    assert (t["gen_ai.usage.input_tokens"], t["gen_ai.usage.output_tokens"]) == (
        CASES["completion"].input_tokens,
        CASES["completion"].output_tokens,
    )
    assert t["gen_ai.operation.name"] == "text_completion"


@pytest.mark.parametrize(
    ("status", "error", "category"),
    [
        (429, openai.RateLimitError, "rate_limit"),
        (401, openai.AuthenticationError, "auth"),
        (400, openai.BadRequestError, "bad_request"),
        (500, openai.InternalServerError, "server"),
    ],
)
def test_provider_errors_are_classified(stub, captured, status, error, category):
    pyflare.instrument("openai")
    with pytest.raises(error):
        client(stub).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"[error:{status}]"}]
        )
    span = captured.span("chat gpt-4o-mini")
    assert span.status.status_code.name == "ERROR"
    assert attrs(span)["pyflare.error.category"] == category
    assert attrs(span)["error.type"] == f"openai.{error.__name__}"


def test_timeout_is_classified(silent_port, captured):
    pyflare.instrument("openai")
    slow = openai.OpenAI(
        base_url=f"http://127.0.0.1:{silent_port}/v1", api_key="sk-test", max_retries=0, timeout=0.3
    )
    with pytest.raises(openai.APITimeoutError):
        slow.chat.completions.create(model="gpt-4o-mini", messages=ask("chat"))
    assert attrs(captured.span("chat gpt-4o-mini"))["pyflare.error.category"] == "timeout"


def test_span_starts_with_the_call_under_the_span_current_then(silent_port, captured):
    """The span is created once the outcome is known, yet it starts when the call did and nests under
    the span that was current at the call."""
    pyflare.instrument("openai")
    slow = openai.OpenAI(
        base_url=f"http://127.0.0.1:{silent_port}/v1", api_key="sk-test", max_retries=0, timeout=0.3
    )
    with pyflare.span("caller"):
        before = time.time_ns()
        with pytest.raises(openai.APITimeoutError):
            slow.chat.completions.create(model="gpt-4o-mini", messages=ask("chat"))
        after = time.time_ns()
    span, caller = captured.span("chat gpt-4o-mini"), captured.span("caller")
    assert before <= span.start_time < span.end_time <= after
    assert span.end_time - span.start_time >= 0.3e9  # the client's timeout: the whole wait is inside
    assert span.parent.span_id == caller.context.span_id


def test_async_chat_and_stream(stub, captured):
    pyflare.instrument("openai")
    aclient = openai.AsyncOpenAI(base_url=f"{stub.url}/v1", api_key="sk-test", max_retries=0)

    async def run():
        await aclient.chat.completions.create(model="gpt-4o-mini", messages=ask("chat"))
        stream = await aclient.chat.completions.create(
            model="gpt-4o-mini", messages=ask("stream-usage"), stream=True
        )
        return [chunk async for chunk in stream]

    chunks = asyncio.run(run())
    assert all(c.choices for c in chunks)
    spans = sorted(captured.spans, key=lambda s: s.start_time)
    assert [without_volatile(attrs(s)).get("gen_ai.usage.input_tokens") for s in spans] == [
        CASES["chat"].input_tokens,
        CASES["stream-usage"].input_tokens,
    ]


def test_azure_deployment(stub, captured):
    pyflare.instrument("openai")
    azure = openai.AzureOpenAI(
        azure_endpoint=stub.url,
        azure_deployment="prod-gpt",
        api_version="2024-10-21",
        api_key="az",
        max_retries=0,
    )
    azure.chat.completions.create(model="gpt-4o-mini", messages=ask("chat"))
    a = attrs(captured.span("chat gpt-4o-mini"))
    assert a["gen_ai.provider.name"] == "azure.ai.openai"
    assert a["pyflare.azure.deployment"] == "gpt-4o-mini"
    assert a["gen_ai.usage.input_tokens"] == CASES["chat"].input_tokens
    assert "api-version=2024-10-21" in pyflare_stub_query("/openai/deployments/prod-gpt/chat/completions")


def pyflare_stub_query(path: str) -> str:
    return provider_stub.LAST_QUERY[path]


def test_disabled_pyflare_leaves_calls_alone_and_uninstrument_restores(stub):
    original = openai.resources.chat.completions.Completions.create
    pyflare.init(enabled=False)
    pyflare.instrument("openai")
    assert pyflare.integrations.is_instrumented("openai")
    answer = client(stub).chat.completions.create(model="gpt-4o-mini", messages=ask("chat"))
    assert answer.choices[0].message.content == CASES["chat"].text
    pyflare.uninstrument("openai")
    assert openai.resources.chat.completions.Completions.create is original
    assert not pyflare_openai.is_instrumented()


def test_streamed_responses_api(stub, captured):
    pyflare.instrument("openai")
    stream = client(stub).responses.create(
        model="gpt-4.1-mini", input="[case:responses] Say hello in French", stream=True
    )
    events = list(stream)
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert "".join(deltas) == CASES["responses"].text  # the caller gets every event, unchanged
    final = next(e.response for e in events if e.type == "response.completed")
    span = captured.span("chat gpt-4.1-mini")
    a = attrs(span)
    assert a["gen_ai.request.stream"] is True
    assert a["gen_ai.response.id"] == final.id
    assert a["gen_ai.response.model"] == DATED["gpt-4.1-mini"]
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (
        CASES["responses"].input_tokens,
        CASES["responses"].output_tokens,
    )
    assert a["gen_ai.response.finish_reasons"] == ["completed"]
    assert 0 < a["pyflare.gen_ai.time_to_first_token"] <= (span.end_time - span.start_time) / 1e9


def test_async_responses_embeddings_and_legacy_completions(stub, captured):
    pyflare.instrument("openai")
    aclient = openai.AsyncOpenAI(base_url=f"{stub.url}/v1", api_key="sk-test", max_retries=0)

    async def run():
        await aclient.responses.create(model="gpt-4.1-mini", input="[case:responses] hi")
        await aclient.embeddings.create(model="text-embedding-3-small", input="[case:embeddings] text")
        await aclient.completions.create(model="gpt-3.5-turbo-instruct", prompt="[case:completion] Two:")

    asyncio.run(run())
    usage = {
        s.name: (attrs(s).get("gen_ai.usage.input_tokens"), attrs(s).get("gen_ai.usage.output_tokens"))
        for s in captured.spans
    }
    assert usage == {
        "chat gpt-4.1-mini": (CASES["responses"].input_tokens, CASES["responses"].output_tokens),
        "embeddings text-embedding-3-small": (CASES["embeddings"].input_tokens, None),
        "text_completion gpt-3.5-turbo-instruct": (
            CASES["completion"].input_tokens,
            CASES["completion"].output_tokens,
        ),
    }
