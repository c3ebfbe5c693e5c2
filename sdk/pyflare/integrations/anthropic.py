"""Anthropic integration: `messages.create` (sync and async, streamed or not) with tool use and cache
read / cache write tokens. `pyflare.instrument("anthropic")`. Attributes: docs/sdk/anthropic.md.

`gen_ai.usage.input_tokens` follows the GenAI conventions: Anthropic's uncached input plus cache reads
and writes (the cache parts are also reported on their own). While instrumented, the Anthropic
client's own OpenTelemetry spans are switched off, so each call is recorded (and priced) once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyflare import genai_messages, semconv
from pyflare.integrations._genai import (
    Call,
    async_method,
    capture_enabled,
    request_attributes,
    start_call,
    sync_method,
)
from pyflare.integrations._patch import Patches
from pyflare.integrations._streams import AsyncTracedStream, TracedStream
from pyflare.runtime import RUNTIME

PROVIDER = "anthropic"
_patches = Patches()
_options = {"capture": False}


def _start(resource: Any, kwargs: dict[str, Any]) -> Call | None:
    attributes = request_attributes(kwargs)  # a new dict: it becomes the span's start mapping
    url = getattr(getattr(resource, "_client", None), "base_url", None)
    if url is not None:
        attributes[semconv.SERVER_ADDRESS] = url.host
        if url.port:
            attributes[semconv.SERVER_PORT] = url.port
    if kwargs.get("stream") is True:
        attributes[semconv.GEN_AI_REQUEST_STREAM] = True
    model = kwargs.get("model")
    capture = _options["capture"] and RUNTIME.capture_content
    call = start_call("chat", PROVIDER, model if isinstance(model, str) else None, attributes, capture)
    if call is not None and capture:
        redact = RUNTIME.redact
        messages = kwargs.get("messages")
        if isinstance(messages, list):
            call.set_messages(semconv.GEN_AI_INPUT_MESSAGES, genai_messages.input_messages(messages, redact))
        system = kwargs.get("system")
        if system:
            call.set_messages(
                semconv.GEN_AI_SYSTEM_INSTRUCTIONS,
                genai_messages.message("system", system, None, redact)["parts"],
            )
    return call


def _record_usage(call: Call, usage: Any) -> None:
    if usage is None:
        return
    uncached = getattr(usage, "input_tokens", None)
    read = getattr(usage, "cache_read_input_tokens", None) or 0
    write = getattr(usage, "cache_creation_input_tokens", None) or 0
    total = None if uncached is None else uncached + read + write
    call.set_usage(total, getattr(usage, "output_tokens", None), read, write)


def _record_message(call: Call, message: Any) -> None:
    _record_usage(call, message.usage)
    call.set_response(message.id, message.model, [message.stop_reason] if message.stop_reason else [])
    tools = [(b.id, b.name, b.input) for b in message.content or () if b.type == "tool_use"]
    if tools:
        call.tool_calls(tools)
    if call.capture:
        call.set_messages(
            semconv.GEN_AI_OUTPUT_MESSAGES,
            [genai_messages.output_message(message.content, None, message.stop_reason, RUNTIME.redact)],
        )


class _StreamState:
    """Rebuilds the message of a `stream=True` call from its events."""

    __slots__ = ("blocks", "id", "model", "stop", "usage")

    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self.stop: str | None = None
        self.usage: dict[str, int] = {}
        self.blocks: dict[int, dict[str, Any]] = {}

    def _take_usage(self, usage: Any) -> None:
        for key in (
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        ):
            value = getattr(usage, key, None)
            if value is not None:
                self.usage[key] = value

    def observe(self, call: Call, event: Any) -> bool:
        kind = event.type
        if kind == "message_start":
            self.id, self.model = event.message.id, event.message.model
            self._take_usage(event.message.usage)
        elif kind == "content_block_start":
            block = event.content_block
            self.blocks[event.index] = {"type": block.type, "id": getattr(block, "id", None),
                                        "name": getattr(block, "name", None), "text": []}  # fmt: skip
        elif kind == "content_block_delta":
            call.mark_first_token()
            delta = event.delta
            piece = (
                getattr(delta, "text", None)
                if delta.type == "text_delta"
                else getattr(delta, "partial_json", None)
            )
            slot = self.blocks.get(event.index)
            if slot is not None and piece and (call.capture or slot["type"] == "tool_use"):
                slot["text"].append(piece)
        elif kind == "message_delta":
            self.stop = event.delta.stop_reason or self.stop
            self._take_usage(event.usage)
        return False

    def finish_call(self, call: Call) -> None:
        u = self.usage
        if u:
            read, write = u.get("cache_read_input_tokens", 0), u.get("cache_creation_input_tokens", 0)
            uncached = u.get("input_tokens")
            call.set_usage(
                None if uncached is None else uncached + read + write, u.get("output_tokens"), read, write
            )
        call.set_response(self.id, self.model, [self.stop] if self.stop else [])
        tools = []
        content: list[dict[str, Any]] = []
        for index in sorted(self.blocks):
            block = self.blocks[index]
            text = "".join(block["text"])
            if block["type"] == "tool_use":
                arguments = genai_messages.parse_arguments(text or "{}")
                tools.append((block["id"], block["name"], text or "{}"))
                content.append(
                    {"type": "tool_use", "id": block["id"], "name": block["name"], "input": arguments}
                )
            elif block["type"] == "text":
                content.append({"type": "text", "text": text})
        if tools:
            call.tool_calls(tools)
        if call.capture:
            message = genai_messages.output_message(content, None, self.stop, RUNTIME.redact)
            call.set_messages(semconv.GEN_AI_OUTPUT_MESSAGES, [message])


def _handle(is_async: bool) -> Callable[[dict[str, Any]], tuple[dict[str, Any], Callable[[Call, Any], Any]]]:
    def handle(kwargs: dict[str, Any]) -> tuple[dict[str, Any], Callable[[Call, Any], Any]]:
        def on_result(call: Call, result: Any) -> Any:
            if kwargs.get("stream") is True:
                if not hasattr(result, "__iter__") and not hasattr(result, "__aiter__"):
                    return None  # a raw response: nothing to read without consuming the caller's stream
                state = _StreamState()
                return (AsyncTracedStream if is_async else TracedStream)(
                    call, result, state.observe, state.finish_call
                )
            _record_message(call, result if hasattr(result, "content") else result.parse())
            return None

        return kwargs, on_result

    return handle


def _no_tracer(self: Any) -> None:
    return None


def instrument(capture_content: bool | None = None, **_: Any) -> None:
    """Patch `Messages.create` / `AsyncMessages.create` (idempotent)."""
    _options["capture"] = capture_enabled(capture_content)
    if _patches.active:
        return
    import anthropic  # noqa: F401  (ImportError tells the caller the library is missing)

    module = "anthropic.resources.messages.messages"
    _patches.wrap(module, "Messages", "create", sync_method(_start, _handle(False)))
    _patches.wrap(module, "AsyncMessages", "create", async_method(_start, _handle(True)))
    # the client's own spans would record every call a second time
    _patches.replace("anthropic._base_client", "BaseClient", "_tracer", property(_no_tracer))


def uninstrument() -> None:
    _patches.undo()


def is_instrumented() -> bool:
    return _patches.active
