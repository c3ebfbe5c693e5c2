"""Prompt and completion text carried by span events of the deprecated GenAI conventions.

`gen_ai.content.prompt`/`gen_ai.content.completion` hold the whole exchange (`gen_ai.prompt`,
`gen_ai.completion`); `gen_ai.{system,user,assistant,tool}.message` and `gen_ai.choice` hold one
message each, as JSON in `gen_ai.event.content` or as plain attributes.
"""

from __future__ import annotations

from typing import Any

from workers.telemetry.anyvalue import from_json
from workers.telemetry.messages import choice_message, render, render_text

_INPUT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
GENAI_EVENTS = frozenset([*_INPUT_ROLES, "gen_ai.choice", "gen_ai.content.prompt", "gen_ai.content.completion"])


def _event_body(attrs: dict[str, str]) -> dict[str, Any]:
    raw = attrs.get("gen_ai.event.content")
    if raw:
        try:
            parsed = from_json(raw)
        except (ValueError, RecursionError):
            return {"content": raw}
        return parsed if isinstance(parsed, dict) else {"content": parsed}
    body: dict[str, Any] = {k: v for k, v in attrs.items() if k in ("role", "content", "finish_reason", "index")}
    message = attrs.get("message")
    if message:
        try:
            body["message"] = from_json(message)
        except (ValueError, RecursionError):
            body["message"] = {"content": message}
    return body


class EventMessages:
    """Messages collected from one span's GenAI events."""

    __slots__ = ("completion", "finish", "inputs", "outputs", "prompt")

    def __init__(self) -> None:
        self.prompt: str | None = None
        self.completion: str | None = None
        self.inputs: list[dict[str, Any]] = []
        self.outputs: list[dict[str, Any]] = []
        self.finish: list[str] = []

    def read(self, name: str, attrs: dict[str, str]) -> None:
        if name == "gen_ai.content.prompt":
            if "gen_ai.prompt" in attrs:
                self.prompt = render_text(attrs["gen_ai.prompt"])
        elif name == "gen_ai.content.completion":
            if "gen_ai.completion" in attrs:
                self.completion = render_text(attrs["gen_ai.completion"])
        elif name == "gen_ai.choice":
            body = _event_body(attrs)
            if body.get("finish_reason"):
                self.finish.append(str(body["finish_reason"]))
            self.outputs.append(choice_message(body))
        else:
            body = _event_body(attrs)
            self.inputs.append({**body, "role": body.get("role") or _INPUT_ROLES[name]})

    def input_text(self) -> str | None:
        if self.prompt is not None:
            return self.prompt
        return render(self.inputs) if self.inputs else None

    def output_text(self) -> str | None:
        if self.completion is not None:
            return self.completion
        return render(self.outputs) if self.outputs else None
