"""Chat messages as OTel GenAI JSON messages (`gen_ai.input.messages` / `gen_ai.output.messages`).

Shape: `[{"role": "user", "parts": [{"type": "text", "content": "..."}]}]`; tool calls are parts
`{"type": "tool_call", "id", "name", "arguments"}` and tool results `{"type": "tool_call_response",
"id", "response"}`. Accepts dicts or the provider clients' objects (OpenAI, Anthropic, LangChain).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

Redact = Callable[[str], str] | None


def field(obj: Any, name: str, default: Any = None) -> Any:
    """`obj[name]` for dicts, `obj.name` for objects."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def parse_arguments(arguments: Any) -> Any:
    """Tool-call arguments as JSON values (OpenAI sends a JSON string; keep it when it is not JSON)."""
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


def _text(value: Any, redact: Redact) -> str:
    text = value if isinstance(value, str) else str(value)
    return redact(text) if redact is not None else text


def _tool_call_part(call: Any, redact: Redact) -> dict[str, Any]:
    function = field(call, "function")
    name = field(function, "name") if function is not None else field(call, "name")
    if function is not None:
        raw = field(function, "arguments")
    else:  # Responses API / Anthropic tool_use / LangChain tool call
        raw = next(
            (v for v in (field(call, k) for k in ("arguments", "input", "args")) if v is not None), None
        )
    if redact is not None and raw is not None:
        raw = redact(raw if isinstance(raw, str) else json.dumps(raw))
    return {
        "type": "tool_call",
        "id": field(call, "id") or field(call, "call_id"),
        "name": name,
        "arguments": parse_arguments(raw),
    }


def _content_parts(content: Any, redact: Redact) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "content": _text(content, redact)}]
    parts: list[dict[str, Any]] = []
    for block in content if isinstance(content, list) else [content]:
        kind = field(block, "type")
        if isinstance(block, str):
            parts.append({"type": "text", "content": _text(block, redact)})
        elif kind in ("text", "input_text", "output_text"):
            parts.append({"type": "text", "content": _text(field(block, "text", ""), redact)})
        elif kind == "tool_use":
            parts.append(_tool_call_part(block, redact))
        elif kind == "tool_result":
            response = field(block, "content")
            parts.append(
                {
                    "type": "tool_call_response",
                    "id": field(block, "tool_use_id"),
                    "response": _text(
                        json.dumps(response) if not isinstance(response, str) else response, redact
                    ),
                }
            )
        else:
            parts.append({"type": str(kind or "unknown")})  # images, audio: the kind, never the bytes
    return parts


def message(
    role: str,
    content: Any,
    tool_calls: Iterable[Any] | None = None,
    redact: Redact = None,
    tool_call_id: str | None = None,
) -> dict[str, Any]:
    if tool_call_id is not None:  # an OpenAI tool result
        return {
            "role": "tool",
            "parts": [
                {
                    "type": "tool_call_response",
                    "id": tool_call_id,
                    "response": _text(content, redact) if content is not None else "",
                }
            ],
        }
    parts = _content_parts(content, redact)
    parts += [_tool_call_part(call, redact) for call in tool_calls or ()]
    return {"role": role, "parts": parts}


def input_messages(messages: Iterable[Any], redact: Redact = None) -> list[dict[str, Any]]:
    """Request messages (OpenAI chat, Anthropic messages, Responses input items) in GenAI form."""
    out = []
    for m in messages:
        if isinstance(m, str):
            out.append(message("user", m, redact=redact))
            continue
        out.append(
            message(
                str(field(m, "role") or "user"),
                field(m, "content"),
                field(m, "tool_calls"),
                redact,
                field(m, "tool_call_id"),
            )
        )
    return out


def output_message(
    content: Any, tool_calls: Iterable[Any] | None, finish_reason: str | None, redact: Redact = None
) -> dict[str, Any]:
    out = message("assistant", content, tool_calls, redact)
    out["finish_reason"] = finish_reason or ""
    return out


def to_json(messages: Any) -> str:
    return json.dumps(messages, ensure_ascii=False, default=str)


def reply_messages(value: Any, redact: Redact = None) -> list[dict[str, Any]] | None:
    """A provider reply (OpenAI ChatCompletion or its message, Anthropic Message, LangChain AIMessage)
    as GenAI output messages; None when `value` is not a reply."""
    choices = field(value, "choices")
    if isinstance(choices, list) and choices and field(choices[0], "message") is not None:
        return [
            output_message(
                field(c, "message").content, field(c, "message").tool_calls, field(c, "finish_reason"), redact
            )
            for c in choices
        ]
    if field(value, "tool_calls") is not None and hasattr(value, "content"):  # a message object
        return [output_message(field(value, "content"), field(value, "tool_calls"), None, redact)]
    if field(value, "type") == "message" and isinstance(field(value, "content"), list):  # Anthropic
        return [output_message(field(value, "content"), None, field(value, "stop_reason"), redact)]
    return None
