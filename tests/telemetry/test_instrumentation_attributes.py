"""Attributes of third-party instrumentations beyond the core conventions: the Anthropic SDK's
cache-write tokens, OpenInference's finish reason, and tool calls flattened into indexed keys by
OpenInference and OpenLLMetry. The Python normaliser is checked against hand-written expectations,
and the compiled decoder against the Python normaliser (it renders a span alike or declines it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.telemetry.sdk_requests import span_request
from tests.telemetry.test_conventions import normalised
from workers.telemetry import native
from workers.telemetry.options import NormaliseOptions
from workers.telemetry.traces import TraceBatch

ANTHROPIC_SDK = {  # as the anthropic client's own spans carry them
    "gen_ai.provider.name": "anthropic", "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.usage.input_tokens": 120,
    "gen_ai.usage.output_tokens": 30, "gen_ai.usage.cache_read.input_tokens": 800,
    "gen_ai.usage.cache_write.input_tokens": 1500, "gen_ai.response.id": "msg_01",
    "anthropic.message.stop_reason": "end_turn",
}  # fmt: skip
OPENINFERENCE_TOOLS = {
    "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.provider": "openai",
    "llm.input_messages.0.message.role": "user",
    "llm.input_messages.0.message.content": "Weather in Paris?",
    "llm.output_messages.0.message.role": "assistant",
    "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
    "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
    "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city": "Paris"}',
    "llm.output_messages.0.message.tool_calls.1.tool_call.function.name": "get_time",
    "llm.output_messages.0.message.tool_calls.1.tool_call.function.arguments": '{"tz": "CET"}',
    "llm.finish_reason": "tool_calls", "llm.token_count.prompt": 40, "llm.token_count.completion": 12,
}  # fmt: skip
OPENLLMETRY_TOOLS = {
    "gen_ai.system": "openai", "llm.request.type": "chat", "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Weather in Paris?",
    "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.finish_reason": "tool_calls",
    "gen_ai.completion.0.tool_calls.0.id": "call_1",
    "gen_ai.completion.0.tool_calls.0.name": "get_weather",
    "gen_ai.completion.0.tool_calls.0.arguments": '{"city": "Paris"}',
    "gen_ai.usage.prompt_tokens": 40, "gen_ai.usage.completion_tokens": 12,
}  # fmt: skip
TOOL_OUTPUT = 'assistant: get_weather({"city": "Paris"})'


def test_anthropic_sdk_cache_write_tokens_fill_the_cache_creation_column() -> None:
    row = normalised(ANTHROPIC_SDK)
    assert (row["input_tokens"], row["cache_read_tokens"], row["cache_creation_tokens"]) == (120, 800, 1500)
    assert row["finish_reasons"] == ["end_turn"]  # the SDK's stop reason, when no GenAI finish reasons
    assert row["attributes"]["gen_ai.usage.cache_write.input_tokens"] == "1500"


def test_genai_finish_reasons_win_over_the_anthropic_stop_reason() -> None:
    row = normalised({"anthropic.message.stop_reason": "tool_use", "gen_ai.response.finish_reasons": ["tool_calls"]})
    assert row["finish_reasons"] == ["tool_calls"]


def test_cache_creation_wins_over_cache_write_when_both_are_given() -> None:
    for order in (1, -1):
        attrs = dict(list({"gen_ai.usage.cache_write.input_tokens": 9,
                           "gen_ai.usage.cache_creation.input_tokens": 4}.items())[::order])  # fmt: skip
        assert normalised(attrs)["cache_creation_tokens"] == 4


def test_openinference_finish_reason_and_flattened_tool_calls() -> None:
    row = normalised(OPENINFERENCE_TOOLS)
    assert row["finish_reasons"] == ["tool_calls"]
    assert row["input_preview"] == "user: Weather in Paris?"
    assert row["output_preview"] == TOOL_OUTPUT + ' get_time({"tz": "CET"})'


def test_openinference_finish_reason_of_output_messages() -> None:
    attrs = {k: v for k, v in OPENINFERENCE_TOOLS.items() if k != "llm.finish_reason"}
    attrs["llm.output_messages.0.message.finish_reason"] = "tool_calls"
    assert normalised(attrs)["finish_reasons"] == ["tool_calls"]


def test_openllmetry_flattened_tool_calls() -> None:
    row = normalised(OPENLLMETRY_TOOLS)
    assert row["output_preview"] == TOOL_OUTPUT
    assert row["finish_reasons"] == ["tool_calls"]
    assert row["attributes"]["gen_ai.completion.0.tool_calls.0.id"] == "call_1"  # unknown parts stay in the map


def test_tool_calls_in_the_prompt_and_text_beside_calls() -> None:
    row = normalised({
        "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Weather?",
        "gen_ai.prompt.1.role": "assistant", "gen_ai.prompt.1.tool_calls.0.name": "get_weather",
        "gen_ai.prompt.1.tool_calls.0.arguments": "{}", "gen_ai.prompt.2.role": "tool",
        "gen_ai.prompt.2.content": "rainy", "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "Let me check.", "gen_ai.completion.0.tool_calls.0.name": "get_time",
        "gen_ai.completion.0.tool_calls.0.arguments": "{}",
    })  # fmt: skip
    assert row["input_preview"] == "user: Weather?\nassistant: get_weather({})\ntool: rainy"
    assert row["output_preview"] == "assistant: Let me check. get_time({})"


def _rows(monkeypatch: pytest.MonkeyPatch, use_native: bool, payload: bytes) -> list[dict[str, Any]]:
    monkeypatch.setenv("PYFLARE_NATIVE", "1" if use_native else "0")
    batch = TraceBatch(NormaliseOptions(preview_chars=30))
    batch.add_otlp(payload)
    return [json.loads(json.dumps(r, default=str)) for r in batch.to_arrow().to_pylist()]


@pytest.mark.parametrize(
    "attributes",
    [ANTHROPIC_SDK, OPENINFERENCE_TOOLS, OPENLLMETRY_TOOLS,
     {"llm.model_name": "m", "llm.finish_reason": "stop", "llm.token_count.prompt": 3},
     {"llm.model_name": "m", "llm.finish_reason": '["stop","length"]'},
     {"gen_ai.usage.cache_write.input_tokens": "77", "gen_ai.usage.cache_creation.input_tokens": 5}],
    ids=["anthropic-sdk", "openinference-tools", "openllmetry-tools", "finish-reason", "finish-reasons-json",
         "cache-write-and-creation"],
)
def test_decoder_renders_these_spans_as_python_does(monkeypatch: pytest.MonkeyPatch, attributes: dict) -> None:
    payload = span_request(attributes).SerializeToString()
    assert _rows(monkeypatch, True, payload) == _rows(monkeypatch, False, payload)


def test_decoder_takes_the_flat_spans_itself() -> None:
    """Cache-write tokens and llm.finish_reason need no Python; indexed tool calls do (declined)."""
    for attributes, taken in ((ANTHROPIC_SDK, 1), ({"llm.finish_reason": "stop"}, 1), (OPENINFERENCE_TOOLS, 0)):
        columns = native.span_columns(NormaliseOptions())
        added, left = columns.add(span_request(attributes).SerializeToString(), -1, -1)
        assert (added, len(left)) == (taken, 1 - taken)
