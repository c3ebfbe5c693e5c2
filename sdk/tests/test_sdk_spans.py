"""`pyflare.span()` and `pyflare.llm_span()`: attributes, GenAI conventions, nesting, errors and the
GenAI client metrics, read back from the OTel SDK's in-memory exporter and metric reader."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode, format_trace_id

import pyflare


def test_span_sets_keyword_attributes_and_becomes_current(captured):
    @pyflare.trace
    def embed_query(q):
        return [0.1]

    with pyflare.span("retrieve", top_k=5, attributes={"db.system.name": "qdrant"}) as handle:
        assert trace.get_current_span() is handle.span
        embed_query("shoes")
        handle.set_attribute("retrieved", 3)
    span = captured.span("retrieve")
    assert span.kind is SpanKind.INTERNAL
    assert span.attributes["top_k"] == 5
    assert span.attributes["db.system.name"] == "qdrant"
    assert span.attributes["retrieved"] == 3
    assert captured.span("embed_query").parent.span_id == span.context.span_id
    assert handle.trace_id == format_trace_id(span.context.trace_id)


def test_span_records_exception_and_reraises(captured):
    with pytest.raises(TimeoutError), pyflare.span("call-tool"):
        raise TimeoutError("tool took too long")
    span = captured.span("call-tool")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "TimeoutError: tool took too long"
    assert [e.name for e in span.events] == ["exception"]
    assert trace.get_current_span() is trace.INVALID_SPAN  # context restored after the error


def test_llm_span_writes_current_genai_conventions(captured):
    with pyflare.llm_span(model="gpt-4o", provider="openai", temperature=0.2) as llm:
        llm.set_input([{"role": "user", "content": "hi"}])
        llm.set_response_model("gpt-4o-2024-08-06")
        llm.set_tokens(input=120, output=30, cache_read=100, reasoning=12)
        llm.set_finish_reasons(["stop"])
        llm.set_output("Hello!")
    span = captured.span("chat gpt-4o")
    assert span.kind is SpanKind.CLIENT
    assert dict(span.attributes) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o-2024-08-06",
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 30,
        "gen_ai.usage.cache_read.input_tokens": 100,
        "gen_ai.usage.reasoning.output_tokens": 12,
        "gen_ai.response.finish_reasons": ("stop",),
        "pyflare.model.id": "gpt-4o",
        "pyflare.model.provider": "openai",
        "pyflare.inference.type": "llm",
        "pyflare.input.preview": "[{'role': 'user', 'content': 'hi'}]",
        "pyflare.output.preview": "Hello!",
        "temperature": 0.2,
    }
    # No deprecated GenAI names.
    assert not any(k in span.attributes for k in ("gen_ai.system", "gen_ai.usage.prompt_tokens"))


def test_llm_span_embeddings_operation_and_custom_name(captured):
    with pyflare.llm_span(model="text-embedding-3-small", provider="openai", operation="embeddings"):
        pass
    with pyflare.llm_span("summarise", model="claude-sonnet-4", provider="anthropic", model_version="v2"):
        pass
    embed = captured.span("embeddings text-embedding-3-small")
    assert embed.attributes["pyflare.inference.type"] == "embedding"
    assert embed.attributes["gen_ai.operation.name"] == "embeddings"
    named = captured.span("summarise")
    assert named.attributes["gen_ai.request.model"] == "claude-sonnet-4"
    assert named.attributes["pyflare.model.version"] == "v2"
    assert named.kind is SpanKind.CLIENT


def test_llm_span_nests_under_decorated_call_and_async_with(captured):
    @pyflare.trace
    async def answer(question):
        async with pyflare.llm_span(model="mistral-small", provider="mistral_ai") as llm:
            await asyncio.sleep(0)
            llm.set_tokens(input=5, output=1)
        return "42"

    assert asyncio.run(answer("meaning?")) == "42"
    llm = captured.span("chat mistral-small")
    assert llm.parent.span_id == captured.span("answer").context.span_id
    assert llm.attributes["gen_ai.usage.output_tokens"] == 1


def _points(metric):
    return {tuple(sorted(point.attributes.items())): point for point in metric.data.data_points}


def test_llm_span_records_genai_client_metrics(captured):
    with pyflare.llm_span(model="gpt-4o-mini", provider="openai") as llm:
        llm.set_tokens(input=10, output=4)
    with pyflare.llm_span(model="gpt-4o-mini", provider="openai") as llm:
        llm.set_tokens(input=30, output=6)
    with pytest.raises(RuntimeError), pyflare.llm_span(model="gpt-4o-mini", provider="openai"):
        raise RuntimeError("rate limited")

    usage = captured.metric("gen_ai.client.token.usage")
    assert usage.unit == "{token}"
    base = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
    }
    points = _points(usage)
    input_point = points[tuple(sorted({**base, "gen_ai.token.type": "input"}.items()))]
    output_point = points[tuple(sorted({**base, "gen_ai.token.type": "output"}.items()))]
    assert (input_point.count, input_point.sum) == (2, 40)
    assert (output_point.count, output_point.sum) == (2, 10)
    assert len(points) == 2  # the failed call reported no tokens

    duration = captured.metric("gen_ai.client.operation.duration")
    assert duration.unit == "s"
    durations = _points(duration)
    assert durations[tuple(sorted(base.items()))].count == 2
    assert durations[tuple(sorted({**base, "error.type": "RuntimeError"}.items()))].count == 1


def test_handle_methods_write_helpers_on_its_span(captured):
    with pyflare.span("predict") as handle:
        handle.log_features({"age": 41})
        handle.log_prediction("churn", score=0.75)
        handle.log_embedding([0.5, -1.25], embedding_type="output")
        handle.log_retrieval_contexts(["doc a", "doc b"])
        handle.set_user("u-1")
        handle.set_feature("checkout")
        handle.set_team("growth")
        handle.set_session("conv-9")
        handle.record_exception(LookupError("cache miss"))
    attributes = captured.span("predict").attributes
    assert attributes["pyflare.features.age"] == 41
    assert attributes["pyflare.prediction"] == "churn"
    assert attributes["pyflare.prediction.score"] == 0.75
    assert attributes["pyflare.embedding"] == (0.5, -1.25)
    assert attributes["pyflare.embedding.type"] == "output"
    assert attributes["pyflare.retrieval.contexts"] == ("doc a", "doc b")
    assert attributes["pyflare.user.id"] == "u-1"
    assert attributes["pyflare.feature.id"] == "checkout"
    assert attributes["pyflare.team"] == "growth"
    assert attributes["gen_ai.conversation.id"] == "conv-9"
    assert captured.span("predict").status.status_code is StatusCode.ERROR
