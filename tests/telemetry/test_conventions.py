"""The four GenAI attribute conventions, written as their instrumentations emit them, normalise
to the same model, provider, tokens and previews; pyflare.* wins over all of them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from tests.telemetry.sdk_requests import span_request
from workers.telemetry.options import NormaliseOptions
from workers.telemetry.traces import TraceBatch

QUESTION = "What is the capital of France?"
ANSWER = "The capital of France is Paris."

# OTel GenAI semantic conventions, current (gen_ai.provider.name, structured messages)
GENAI_CURRENT: dict[str, Any] = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.response.id": "chatcmpl-9a1",
    "gen_ai.request.temperature": 0.2,
    "gen_ai.usage.input_tokens": 14,
    "gen_ai.usage.output_tokens": 8,
    "gen_ai.response.finish_reasons": ["stop"],
    "gen_ai.conversation.id": "conv-77",
    "gen_ai.input.messages": json.dumps([{"role": "user", "parts": [{"type": "text", "content": QUESTION}]}]),
    "gen_ai.output.messages": json.dumps(
        [{"role": "assistant", "parts": [{"type": "text", "content": ANSWER}], "finish_reason": "stop"}]
    ),
    "server.address": "api.openai.com",
    "server.port": 443,
}
# OTel GenAI <= 1.26: gen_ai.system, prompt/completion token names, content as span events
GENAI_DEPRECATED: dict[str, Any] = {
    "gen_ai.operation.name": "chat",
    "gen_ai.system": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.usage.prompt_tokens": 14,
    "gen_ai.usage.completion_tokens": 8,
    "gen_ai.response.finish_reasons": ["stop"],
}
GENAI_DEPRECATED_EVENTS = [
    ("gen_ai.content.prompt", {"gen_ai.prompt": json.dumps([{"role": "user", "content": QUESTION}])}),
    ("gen_ai.content.completion", {"gen_ai.completion": json.dumps([{"role": "assistant", "content": ANSWER}])}),
]
# The per-message events of GenAI 1.27-1.36 as tracing SDKs put them on spans (JSON body attribute)
GENAI_MESSAGE_EVENTS = [
    ("gen_ai.user.message", {"gen_ai.system": "openai", "gen_ai.event.content": json.dumps({"content": QUESTION})}),
    ("gen_ai.choice", {"gen_ai.system": "openai", "gen_ai.event.content": json.dumps(
        {"finish_reason": "stop", "index": 0, "message": {"content": ANSWER}})}),
]
# OpenInference (openinference-instrumentation-openai)
OPENINFERENCE: dict[str, Any] = {
    "openinference.span.kind": "LLM",
    "llm.model_name": "gpt-4o-mini",
    "llm.provider": "openai",
    "llm.system": "openai",
    "llm.invocation_parameters": json.dumps({"model": "gpt-4o-mini", "temperature": 0.2}),
    "input.value": json.dumps({"messages": [{"role": "user", "content": QUESTION}], "model": "gpt-4o-mini"}),
    "input.mime_type": "application/json",
    "output.value": json.dumps({"id": "chatcmpl-9a1", "choices": [{"message": {"content": ANSWER}}]}),
    "output.mime_type": "application/json",
    "llm.input_messages.0.message.role": "user",
    "llm.input_messages.0.message.content": QUESTION,
    "llm.output_messages.0.message.role": "assistant",
    "llm.output_messages.0.message.content": ANSWER,
    "llm.token_count.prompt": 14,
    "llm.token_count.completion": 8,
    "llm.token_count.total": 22,
    "session.id": "conv-77",
}
# OpenLLMetry (traceloop) legacy indexed prompt/completion attributes
OPENLLMETRY: dict[str, Any] = {
    "llm.request.type": "chat",
    "gen_ai.system": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "llm.is_streaming": False,
    "gen_ai.prompt.0.role": "user",
    "gen_ai.prompt.0.content": QUESTION,
    "gen_ai.completion.0.role": "assistant",
    "gen_ai.completion.0.content": ANSWER,
    "gen_ai.completion.0.finish_reason": "stop",
    "gen_ai.usage.prompt_tokens": 14,
    "gen_ai.usage.completion_tokens": 8,
    "llm.usage.total_tokens": 22,
}


def normalised(attributes: dict[str, Any], events: list[tuple[str, dict[str, Any]]] | None = None,
               options: NormaliseOptions | None = None, resource: dict[str, Any] | None = None) -> dict[str, Any]:
    batch = TraceBatch(options or NormaliseOptions())
    batch.add_request(span_request(attributes, events, resource=resource))
    (row,) = batch.to_arrow().to_pylist()
    row["attributes"] = dict(row["attributes"])
    row["features"] = dict(row["features"])
    return row


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@pytest.mark.parametrize(
    ("attributes", "events", "operation"),
    [
        (GENAI_CURRENT, None, "chat"),
        (GENAI_DEPRECATED, GENAI_DEPRECATED_EVENTS, "chat"),
        (GENAI_DEPRECATED, GENAI_MESSAGE_EVENTS, "chat"),
        ({**GENAI_DEPRECATED, **{k: v for _, attrs in GENAI_DEPRECATED_EVENTS for k, v in attrs.items()}}, None,
         "chat"),
        (OPENINFERENCE, None, "llm"),
        (OPENLLMETRY, None, "chat"),
    ],
    ids=["genai-current", "genai-deprecated-content-events", "genai-deprecated-message-events",
         "genai-deprecated-content-on-span", "openinference", "openllmetry"],
)
def test_conventions_normalise_alike(attributes: dict[str, Any], events: Any, operation: str) -> None:
    row = normalised(attributes, events)
    assert row["model_id"] == "gpt-4o-mini"  # the request model; the response model only as fallback
    assert row["provider"] == "openai"
    assert row["inference_type"] == "llm"
    assert row["operation"] == operation
    assert (row["input_tokens"], row["output_tokens"], row["total_tokens"]) == (14, 8, 22)
    assert row["input_preview"] == f"user: {QUESTION}"
    assert row["output_preview"] == f"assistant: {ANSWER}"
    assert row["input_hash"] == digest(f"user: {QUESTION}")
    if attributes is not OPENINFERENCE:  # OpenInference has no finish reason attribute
        assert row["finish_reasons"] == ["stop"]
    # every attribute stays in the map, as text
    assert set(row["attributes"]) == set(attributes)


def test_session_and_conversation_ids() -> None:
    assert normalised(GENAI_CURRENT)["session_id"] == "conv-77"
    assert normalised(OPENINFERENCE)["session_id"] == "conv-77"
    assert normalised({"user.id": "u-1", "session.id": "s-1"})["user_id"] == "u-1"


def test_finish_reasons_from_output_messages_when_not_given() -> None:
    attributes = {k: v for k, v in GENAI_CURRENT.items() if k != "gen_ai.response.finish_reasons"}
    assert normalised(attributes)["finish_reasons"] == ["stop"]
    attributes["gen_ai.output.messages"] = json.dumps([
        {"role": "assistant", "parts": [{"type": "text", "content": "a"}], "finish_reason": "length"},
        {"role": "assistant", "parts": [{"type": "text", "content": "b"}], "finish_reason": "stop"}])
    row = normalised(attributes)
    assert row["finish_reasons"] == ["length", "stop"] and row["output_preview"] == "assistant: a\nassistant: b"


def test_response_model_when_no_request_model() -> None:
    attributes = {k: v for k, v in GENAI_CURRENT.items() if k != "gen_ai.request.model"}
    assert normalised(attributes)["model_id"] == "gpt-4o-mini-2024-07-18"


def test_pyflare_attributes_win_over_every_convention() -> None:
    attributes = {
        **GENAI_CURRENT, **OPENINFERENCE, **OPENLLMETRY,
        "pyflare.model.id": "support-bot", "pyflare.model.version": "2025-06", "pyflare.model.provider": "Anthropic",
        "pyflare.inference.type": "classification", "pyflare.input.preview": "ticket #1",
        "pyflare.output.preview": "refund", "pyflare.user.id": "u-9", "pyflare.feature.id": "triage",
        "pyflare.team": "care", "pyflare.environment": "prod", "pyflare.prediction": "refund",
        "pyflare.prediction.score": 0.93, "pyflare.features.amount": 12.5, "pyflare.features.country": "FR",
    }
    row = normalised(attributes, GENAI_DEPRECATED_EVENTS, resource={"deployment.environment.name": "staging"})
    assert (row["model_id"], row["model_version"], row["provider"]) == ("support-bot", "2025-06", "anthropic")
    assert row["inference_type"] == "classification"
    assert (row["input_preview"], row["output_preview"]) == ("ticket #1", "refund")
    assert row["input_hash"] == digest("ticket #1")
    assert (row["user_id"], row["feature_id"], row["team"], row["environment"]) == ("u-9", "triage", "care", "prod")
    assert (row["prediction"], row["prediction_score"]) == ("refund", 0.93)
    assert row["features"] == {"amount": "12.5", "country": "FR"}
    # tokens have no pyflare source: the highest-ranked convention that has them
    assert (row["input_tokens"], row["output_tokens"]) == (14, 8)


def test_current_convention_wins_over_older_ones() -> None:
    row = normalised({**OPENLLMETRY, **OPENINFERENCE, **GENAI_DEPRECATED, "gen_ai.provider.name": "azure.ai.openai",
                      "gen_ai.usage.input_tokens": 100, "llm.token_count.prompt": 1})
    assert row["provider"] == "azure.ai.openai" and row["input_tokens"] == 100
    assert row["output_tokens"] == 8  # only the deprecated name, which outranks OpenInference's 8 anyway
    # previews: OpenInference messages (rank 30) beat OpenLLMetry indexed prompts (rank 40)
    assert row["input_preview"] == f"user: {QUESTION}"


def test_environment_from_resource_when_not_on_span() -> None:
    assert normalised({"a": 1}, resource={"deployment.environment.name": "staging"})["environment"] == "staging"
    assert normalised({"a": 1}, resource={"deployment.environment": "qa"})["environment"] == "qa"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("az.ai.openai", "azure.ai.openai"), ("Azure OpenAI", "azure.ai.openai"), ("azure", "azure.ai.openai"),
        ("aws.bedrock", "aws.bedrock"), ("Bedrock", "aws.bedrock"), ("gcp.gemini", "gcp.gemini"),
        ("gemini", "gcp.gemini"), ("vertex_ai", "gcp.vertex_ai"), ("VertexAI", "gcp.vertex_ai"),
        ("google", "gcp.gen_ai"), ("MistralAI", "mistral_ai"), ("Anthropic", "anthropic"), ("cohere", "cohere"),
        ("OpenAI", "openai"), ("my-own-llm", "my-own-llm"),
    ],
)
def test_provider_names_are_normalised(raw: str, expected: str) -> None:
    assert normalised({"gen_ai.system": raw})["provider"] == expected


def test_previews_truncated_but_hash_covers_full_input() -> None:
    long_question = "Explain " + "very " * 400 + "carefully."
    row = normalised({**GENAI_CURRENT, "gen_ai.input.messages": json.dumps(
        [{"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
         {"role": "user", "parts": [{"type": "text", "content": long_question}]}])},
        options=NormaliseOptions(preview_chars=50))
    full = f"system: Be brief.\nuser: {long_question}"
    assert row["input_preview"] == full[:50] and len(row["input_preview"]) == 50
    assert row["input_hash"] == digest(full)
    assert row["output_preview"] == f"assistant: {ANSWER}"  # shorter than the limit: whole


def test_structured_messages_with_tool_calls_read_as_text() -> None:
    messages = [
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
        {"role": "assistant", "parts": [
            {"type": "tool_call", "id": "c1", "name": "get_weather", "arguments": {"city": "Paris"}}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": "rainy, 57F"}]},
    ]
    row = normalised({"gen_ai.operation.name": "chat", "gen_ai.input.messages": json.dumps(messages)})
    assert row["input_preview"] == (
        'user: Weather in Paris?\nassistant: get_weather({"city":"Paris"})\ntool: rainy, 57F'
    )


def test_cache_and_reasoning_tokens() -> None:
    current = normalised({**GENAI_CURRENT, "gen_ai.usage.cache_read.input_tokens": 5,
                          "gen_ai.usage.cache_creation.input_tokens": 2,
                          "gen_ai.usage.reasoning.output_tokens": 3})
    inference = normalised({**OPENINFERENCE, "llm.token_count.prompt_details.cache_read": 5,
                            "llm.token_count.prompt_details.cache_write": 2,
                            "llm.token_count.completion_details.reasoning": 3})
    legacy = normalised({**OPENLLMETRY, "gen_ai.usage.cache_read_input_tokens": 5,
                         "gen_ai.usage.cache_creation_input_tokens": 2, "gen_ai.usage.reasoning_tokens": 3})
    for row in (current, inference, legacy):
        assert (row["cache_read_tokens"], row["cache_creation_tokens"], row["reasoning_tokens"]) == (5, 2, 3)


def test_total_tokens_is_the_sum_when_not_given() -> None:
    row = normalised({"gen_ai.usage.input_tokens": 7})
    assert (row["input_tokens"], row["output_tokens"], row["total_tokens"]) == (7, None, 7)
    assert normalised({"gen_ai.usage.input_tokens": -3})["input_tokens"] is None  # not a count


def test_embedding_operations_and_non_llm_spans() -> None:
    embedding = normalised({"gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai",
                            "gen_ai.request.model": "text-embedding-3-small", "gen_ai.usage.input_tokens": 9})
    assert (embedding["inference_type"], embedding["operation"]) == ("embedding", "embeddings")
    oi_embedding = normalised({"openinference.span.kind": "EMBEDDING", "embedding.model_name": "bge-small"})
    assert (oi_embedding["inference_type"], oi_embedding["model_id"]) == ("embedding", "bge-small")
    retriever = normalised({"openinference.span.kind": "RETRIEVER", "input.value": "refund policy",
                            "retrieval.documents.0.document.content": "Refunds within 30 days.",
                            "retrieval.documents.1.document.content": "Keep the receipt."})
    assert retriever["inference_type"] == "" and retriever["operation"] == "retriever"
    assert retriever["input_preview"] == "refund policy"
    assert retriever["output_preview"] == "Refunds within 30 days.\nKeep the receipt."
    plain = normalised({"http.route": "/health"})
    assert (plain["inference_type"], plain["operation"], plain["model_id"]) == ("", "", "")


def test_embedding_vector_leaves_attributes_for_the_vector_store() -> None:
    vector = [0.25, -1.5, 3.0e-8, 0.0]
    batch = TraceBatch(NormaliseOptions())
    batch.add_request(span_request({"pyflare.embedding": vector, "pyflare.embedding.type": "input",
                                    "pyflare.model.id": "ranker", "note": "kept"},
                                   resource={"service.name": "svc", "pyflare.project": "search"}))
    row = batch.to_arrow().to_pylist()[0]
    assert row["embedding_dim"] == 4
    assert dict(row["attributes"]) == {"pyflare.embedding.type": "input", "pyflare.model.id": "ranker",
                                       "note": "kept"}
    (record,) = batch.embeddings
    assert record.vector == vector
    assert (record.project, record.trace_id, record.span_id) == ("search", row["trace_id"], row["span_id"])
    assert (record.model_id, record.embedding_type) == ("ranker", "input")
    assert record.time_unix_nano == row["start_time"].value


def test_integer_embedding_vector_is_read_too() -> None:
    batch = TraceBatch()
    batch.add_request(span_request({"pyflare.embedding": [1, 2, 3]}))
    assert batch.embeddings[0].vector == [1.0, 2.0, 3.0]
    assert batch.to_arrow().column("embedding_dim").to_pylist() == [3]


def test_unknown_and_indexed_attributes_are_kept() -> None:
    row = normalised({**OPENLLMETRY, "traceloop.workflow.name": "faq", "custom.weird.key": "x"})
    assert row["attributes"]["gen_ai.prompt.0.content"] == QUESTION
    assert row["attributes"]["traceloop.workflow.name"] == "faq"
    assert row["attributes"]["custom.weird.key"] == "x"
    assert row["attributes"]["llm.is_streaming"] == "false"
