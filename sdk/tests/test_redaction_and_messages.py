"""Client-side redaction and the GenAI JSON messages of `set_output` for provider replies."""

from __future__ import annotations

import json

import openai
import pytest
from llm_stub import CASES, attrs, stub_fixture  # noqa: F401

import pyflare
from pyflare.integrations.redaction import Redactor, luhn_valid, redact_builtin, redactor_of

# 4111 1111 1111 1111 is the Visa test number (Luhn-valid); ...1112 is not a card number
VALID_CARD, INVALID_CARD = "4111 1111 1111 1111", "4111 1111 1111 1112"


def test_builtin_patterns_mask_emails_cards_and_keys():
    text = (
        f"mail ana.b+x@example.co.uk, card {VALID_CARD}, order {INVALID_CARD}, "
        "key sk-proj-abcdefghijklmnop1234 and AKIAABCDEFGHIJKLMNOP"
    )
    assert redact_builtin(text) == (
        f"mail [REDACTED_EMAIL], card [REDACTED_CARD], order {INVALID_CARD}, "
        "key [REDACTED_API_KEY] and [REDACTED_API_KEY]"
    )


def test_luhn_matches_a_hand_computation():
    # 79927398713: the textbook Luhn example (sum 70)
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


def test_hook_runs_after_the_patterns_and_options_are_checked():
    redact = redactor_of(lambda t: t.upper())
    assert redact("x@y.io secret") == "[REDACTED_EMAIL] SECRET"
    assert Redactor(patterns=False, hook=str.upper)("x@y.io") == "X@Y.IO"
    assert redactor_of(None) is None and redactor_of(False) is None
    with pytest.raises(ValueError, match="redact must be"):
        redactor_of(42)  # type: ignore[arg-type]


def test_previews_are_redacted_before_export(start):
    captured = start(redact=True)
    with pyflare.span("ask") as s:
        s.set_input("reach me at bo@example.com")
        s.set_output({"card": VALID_CARD})
    a = attrs(captured.span("ask"))
    assert a["pyflare.input.preview"] == "reach me at [REDACTED_EMAIL]"
    assert a["pyflare.output.preview"] == "{'card': '[REDACTED_CARD]'}"


def test_set_output_of_a_tool_call_reply_records_the_calls(stub, start):
    captured = start()
    answer = openai.OpenAI(
        base_url=f"{stub.url}/v1", api_key="sk-test", max_retries=0
    ).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "[case:tools] weather?"}]
    )
    name, arguments = CASES["tools"].tool_call
    with pyflare.llm_span(model="gpt-4o-mini", provider="openai") as s:
        s.set_output(answer.choices[0].message)
    with pyflare.llm_span(name="whole", model="gpt-4o-mini", provider="openai") as s:
        s.set_output(answer)
    call_id = answer.choices[0].message.tool_calls[0].id
    part = {"type": "tool_call", "id": call_id, "name": name, "arguments": json.loads(arguments)}
    message_only = attrs(captured.span("chat gpt-4o-mini"))
    assert json.loads(message_only["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [part], "finish_reason": ""}
    ]
    assert "None" not in message_only["pyflare.output.preview"]
    whole = attrs(captured.span("whole"))
    assert json.loads(whole["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [part], "finish_reason": "tool_calls"}
    ]
