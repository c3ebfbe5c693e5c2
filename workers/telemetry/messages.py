"""Chat messages in any of the GenAI shapes -> one readable text for previews.

Handles the current `gen_ai.input.messages`/`output.messages` parts format, the OpenAI-like
`{"role", "content", "tool_calls"}` format of deprecated prompt/completion attributes and events,
and `gen_ai.choice` bodies. Each message becomes `role: text`, messages are joined by newlines.
"""

from __future__ import annotations

from typing import Any

from workers.telemetry.anyvalue import from_json, to_json


def parse_messages(raw: Any) -> list[Any] | None:
    """A message list from JSON text or an already decoded value; None when it is not one."""
    if isinstance(raw, str):
        s = raw.strip()
        if not s or s[0] not in "[{":
            return None
        try:
            raw = from_json(s)
        except (ValueError, RecursionError):
            return None
    if isinstance(raw, dict):
        return [raw]
    if isinstance(raw, list):
        return raw
    return None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return to_json(value)


def _part_text(part: Any) -> str:
    if not isinstance(part, dict):
        return _as_text(part)
    kind = part.get("type", "")
    if kind == "tool_call":
        return f"{part.get('name', '')}({_as_text(part.get('arguments'))})"
    if kind == "tool_call_response":
        return _as_text(part.get("response", part.get("result")))
    for field in ("content", "text"):
        if field in part:
            return _as_text(part[field])
    return f"[{kind or 'part'}]"


def _tool_calls_text(calls: Any) -> list[str]:
    out = []
    for call in calls if isinstance(calls, list) else []:
        if isinstance(call, dict):
            function = call.get("function")
            fn: dict[str, Any] = function if isinstance(function, dict) else call
            out.append(f"{fn.get('name', '')}({_as_text(fn.get('arguments'))})")
    return out


def _plain_text(message: dict[str, Any]) -> str | None:
    """Text of the two usual shapes, one text part or a string content; None for the rest."""
    parts = message.get("parts")
    if parts is None:
        content = message.get("content")
        if type(content) is str and "tool_calls" not in message and "message" not in message:
            return content
        return None
    if type(parts) is list and len(parts) == 1 and "content" not in message and "tool_calls" not in message:
        part = parts[0]
        if type(part) is dict and part.get("type") == "text":
            content = part.get("content")
            if type(content) is str:
                return content
    return None


def message_text(message: Any) -> tuple[str, str]:
    """(role, text) of one message in any supported shape."""
    if not isinstance(message, dict):
        return "", _as_text(message)
    text = _plain_text(message)
    if text is not None:
        return str(message.get("role") or ""), text
    if isinstance(message.get("message"), dict):  # gen_ai.choice body
        inner = message["message"]
        role, text = message_text(inner)
        return role or "assistant", text
    pieces: list[str] = []
    parts = message.get("parts")
    if isinstance(parts, list):
        pieces.extend(_part_text(p) for p in parts)
    content = message.get("content")
    if isinstance(content, list):
        pieces.extend(_part_text(p) for p in content)
    elif isinstance(content, dict):  # one part instead of a list of them
        pieces.append(_part_text(content))
    elif content is not None:
        pieces.append(_as_text(content))
    pieces.extend(_tool_calls_text(message.get("tool_calls")))
    return str(message.get("role") or ""), " ".join(p for p in pieces if p)


def choice_message(body: dict[str, Any]) -> dict[str, Any]:
    """The message of a `gen_ai.choice` body, role defaulting to assistant; tool calls are taken
    from the body too when they sit beside the message instead of in it (as OpenLLMetry sends them)."""
    inner = body.get("message")
    message = dict(inner) if isinstance(inner, dict) else {"content": body.get("content")}
    if "tool_calls" not in message and body.get("tool_calls"):
        message["tool_calls"] = body["tool_calls"]
    message["role"] = message.get("role") or "assistant"
    return message


def render(messages: list[Any]) -> str:
    lines = []
    for m in messages:
        role, text = message_text(m)
        lines.append(f"{role}: {text}" if role else text)
    return "\n".join(lines)


def render_text(raw: Any) -> str:
    """Readable text of a messages attribute; text that is not a message list stays as it is."""
    messages = parse_messages(raw)
    if messages is None:
        return _as_text(raw)
    return render(messages)


def finish_reasons_of(raw: Any) -> list[str]:
    """`finish_reason` of each output message (current format or choice bodies)."""
    messages = parse_messages(raw) or []
    return [str(m["finish_reason"]) for m in messages if isinstance(m, dict) and m.get("finish_reason")]
