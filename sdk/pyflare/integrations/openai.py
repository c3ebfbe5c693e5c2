"""OpenAI integration: chat completions, the Responses API, embeddings and legacy completions, sync and
async, streamed or not, on `openai.OpenAI` and `openai.AzureOpenAI` clients.

`pyflare.instrument("openai")` or `pyflare.integrations.openai.instrument(capture_content=True)`.
Streams get usage even when the caller did not ask for it (`stream_options.include_usage` is added
and the extra usage-only chunk is kept from the caller). Attributes: docs/sdk/openai.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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

PROVIDER = "openai"
AZURE_PROVIDER = "azure.ai.openai"
_RAW_HEADER = "X-Stainless-Raw-Response"
_OPERATIONS = {"responses": "chat"}  # the Responses API is a chat operation in the GenAI conventions
_patches = Patches()
_options = {"capture": False}


# -- what a call sends --------------------------------------------------------------------------------
_servers: dict[int, tuple[Any, str, dict[str, Any]]] = {}  # id(client) -> (base_url, provider, attributes)


def _server(resource: Any) -> tuple[str, dict[str, Any]]:
    """(provider, server attributes) of the resource's client, worked out once per client and URL.
    The attributes are shared: read them, never change them."""
    client = getattr(resource, "_client", None)
    url = getattr(client, "base_url", None)
    cached = _servers.get(id(client))
    if cached is not None and cached[0] is url:
        return cached[1], cached[2]
    extra: dict[str, Any] = {}
    if url is not None:
        extra[semconv.SERVER_ADDRESS] = url.host
        if url.port:
            extra[semconv.SERVER_PORT] = url.port
    name = type(client).__name__
    provider = AZURE_PROVIDER if name.startswith(("AsyncAzure", "Azure")) else PROVIDER
    if len(_servers) >= 256:  # bounded: apps that make a client per request must not grow it forever
        _servers.clear()
    _servers[id(client)] = (url, provider, extra)
    return provider, extra


def _start(operation: str, resource: Any, kwargs: dict[str, Any]) -> Call | None:
    provider, server = _server(resource)
    model = kwargs.get("model")
    model = model if isinstance(model, str) else None
    attributes = request_attributes(kwargs)  # a new dict: it becomes the span's start mapping
    attributes.update(server)
    if provider == AZURE_PROVIDER and model:
        attributes[semconv.AZURE_DEPLOYMENT] = model  # Azure's `model` names the deployment
    if kwargs.get("stream") is True:
        attributes[semconv.GEN_AI_REQUEST_STREAM] = True
    capture = _options["capture"] and RUNTIME.capture_content
    call = start_call(_OPERATIONS.get(operation, operation), provider, model, attributes, capture)
    if call is not None and capture:
        _record_input(call, kwargs)
    return call


def _record_input(call: Call, kwargs: dict[str, Any]) -> None:
    redact = RUNTIME.redact
    messages = kwargs.get("messages")
    if messages is None:
        messages = kwargs.get("input", kwargs.get("prompt"))
    if isinstance(messages, str) or (
        isinstance(messages, list) and messages and isinstance(messages[0], str)
    ):
        messages = [messages] if isinstance(messages, str) else messages
    if isinstance(messages, list):
        call.set_messages(semconv.GEN_AI_INPUT_MESSAGES, genai_messages.input_messages(messages, redact))
    instructions = kwargs.get("instructions")
    if isinstance(instructions, str):
        parts = [{"type": "text", "content": redact(instructions) if redact else instructions}]
        call.set_messages(semconv.GEN_AI_SYSTEM_INSTRUCTIONS, parts)


def _with_usage(kwargs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Ask a chat stream for usage when the caller did not; True when PyFlare added it."""
    options = kwargs.get("stream_options")
    options = options if isinstance(options, dict) else {}
    if kwargs.get("stream") is not True or options.get("include_usage"):
        return kwargs, False
    return {**kwargs, "stream_options": {**options, "include_usage": True}}, True


def _is_raw(kwargs: dict[str, Any]) -> bool:
    headers = kwargs.get("extra_headers")
    return isinstance(headers, dict) and _RAW_HEADER in headers


# -- what a call answers ------------------------------------------------------------------------------
def _record_usage(
    call: Call,
    usage: Any,
    prompt: str = "prompt_tokens",
    completion: str = "completion_tokens",
    prompt_details: str = "prompt_tokens_details",
    completion_details: str = "completion_tokens_details",
) -> None:
    if usage is None:
        return
    cached = getattr(getattr(usage, prompt_details, None), "cached_tokens", None)
    reasoning = getattr(getattr(usage, completion_details, None), "reasoning_tokens", None)
    call.set_usage(getattr(usage, prompt, None), getattr(usage, completion, None), cached, None, reasoning)


def _record_chat(call: Call, completion: Any) -> None:
    _record_usage(call, completion.usage)
    choices = completion.choices or []
    call.set_response(completion.id, completion.model, [c.finish_reason for c in choices])
    calls = [
        (t.id, t.function.name, t.function.arguments)
        for c in choices
        for t in (c.message.tool_calls or ())
        if getattr(t, "function", None) is not None
    ]
    if calls:
        call.tool_calls(calls)
    if call.capture:
        call.set_messages(
            semconv.GEN_AI_OUTPUT_MESSAGES, genai_messages.reply_messages(completion, RUNTIME.redact)
        )


class _ChatStreamState:
    """Accumulates a chat (or legacy completion) stream into what a non-streamed answer reports."""

    __slots__ = ("finish", "id", "model", "strip_usage", "text", "tools", "usage")

    def __init__(self, strip_usage: bool) -> None:
        self.strip_usage = strip_usage
        self.id: str | None = None
        self.model: str | None = None
        self.usage: Any = None
        self.finish: dict[int, str] = {}
        self.text: dict[int, list[str]] = {}
        self.tools: dict[tuple[int, int], list[Any]] = {}  # (choice, index) -> [id, name, argument pieces]

    def observe(self, call: Call, chunk: Any) -> bool:
        self.id = self.id or chunk.id
        self.model = self.model or chunk.model
        if chunk.usage is not None:
            self.usage = chunk.usage
        if not chunk.choices:
            return self.strip_usage and chunk.usage is not None
        for choice in chunk.choices:
            delta = getattr(choice, "delta", None)
            piece = getattr(delta, "content", None) if delta is not None else getattr(choice, "text", None)
            tool_deltas = getattr(delta, "tool_calls", None) if delta is not None else None
            if piece or tool_deltas:
                call.mark_first_token()
            if piece and call.capture:
                self.text.setdefault(choice.index, []).append(piece)
            for t in tool_deltas or ():
                slot = self.tools.setdefault((choice.index, t.index), [None, None, []])
                slot[0] = slot[0] or t.id
                if t.function is not None:
                    slot[1] = slot[1] or t.function.name
                    slot[2].append(t.function.arguments or "")
            if choice.finish_reason:
                self.finish[choice.index] = choice.finish_reason
        return False

    def finish_call(self, call: Call) -> None:
        _record_usage(call, self.usage)
        call.set_response(self.id, self.model, [self.finish[i] for i in sorted(self.finish)])
        if self.tools:
            call.tool_calls([(i, n, "".join(a)) for (i, n, a) in (self.tools[k] for k in sorted(self.tools))])
        if call.capture:
            messages = []
            for index in sorted(set(self.text) | set(self.finish)):
                tools = [
                    {"id": i, "name": n, "arguments": "".join(a)}
                    for (c, _), (i, n, a) in self.tools.items()
                    if c == index
                ]
                messages.append(
                    genai_messages.output_message(
                        "".join(self.text.get(index, [])), tools, self.finish.get(index), RUNTIME.redact
                    )
                )
            call.set_messages(semconv.GEN_AI_OUTPUT_MESSAGES, messages)


def _on_chat(stream: bool, strip_usage: bool, is_async: bool) -> Callable[[Call, Any], Any]:
    def on_result(call: Call, result: Any) -> Any:
        if stream:
            state = _ChatStreamState(strip_usage)
            wrapper = AsyncTracedStream if is_async else TracedStream
            return wrapper(call, result, state.observe, state.finish_call)
        if not hasattr(result, "choices"):  # with_raw_response: the parsed answer is cached by the client
            result_parsed = result.parse()
            (
                _record_chat
                if hasattr(result_parsed, "choices") and hasattr(result_parsed.choices[0], "message")
                else _record_legacy
            )(call, result_parsed)
            return None
        (_record_chat if result.choices and hasattr(result.choices[0], "message") else _record_legacy)(
            call, result
        )
        return None

    return on_result


def _record_legacy(call: Call, completion: Any) -> None:
    _record_usage(call, completion.usage)
    call.set_response(completion.id, completion.model, [c.finish_reason for c in completion.choices or []])
    if call.capture:
        messages = [
            genai_messages.output_message(c.text, None, c.finish_reason, RUNTIME.redact)
            for c in completion.choices or []
        ]
        call.set_messages(semconv.GEN_AI_OUTPUT_MESSAGES, messages)


def _record_response(call: Call, response: Any) -> None:
    """A Responses API answer (`responses.create` or the `response.completed` stream event)."""
    _record_usage(
        call, response.usage, "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details"
    )
    status = getattr(response, "status", None)
    call.set_response(response.id, response.model, [status] if status else [])
    items = response.output or []
    calls = [(getattr(i, "call_id", None), i.name, i.arguments) for i in items if i.type == "function_call"]
    if calls:
        call.tool_calls(calls)
    if call.capture:
        messages = []
        for item in items:
            if item.type == "message":
                messages.append(genai_messages.output_message(item.content, None, status, RUNTIME.redact))
        if calls:
            tool_parts = [{"id": i, "name": n, "arguments": a} for i, n, a in calls]
            messages.append(genai_messages.output_message(None, tool_parts, status, RUNTIME.redact))
        call.set_messages(semconv.GEN_AI_OUTPUT_MESSAGES, messages)


class _ResponseStreamState:
    __slots__ = ("response",)

    def __init__(self) -> None:
        self.response: Any = None

    def observe(self, call: Call, event: Any) -> bool:
        kind = getattr(event, "type", "")
        if kind == "response.output_text.delta" or kind == "response.function_call_arguments.delta":
            call.mark_first_token()
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self.response = event.response
        return False

    def finish_call(self, call: Call) -> None:
        if self.response is not None:
            _record_response(call, self.response)


def _on_response(stream: bool, is_async: bool) -> Callable[[Call, Any], Any]:
    def on_result(call: Call, result: Any) -> Any:
        if stream:
            state = _ResponseStreamState()
            return (AsyncTracedStream if is_async else TracedStream)(
                call, result, state.observe, state.finish_call
            )
        _record_response(call, result if hasattr(result, "output") else result.parse())
        return None

    return on_result


def _on_embeddings(call: Call, result: Any) -> None:
    result = result if hasattr(result, "data") else result.parse()
    usage = result.usage
    call.set_usage(getattr(usage, "prompt_tokens", None), None)
    call.set_response(None, result.model, ())
    if result.data and isinstance(result.data[0].embedding, list):
        call.attributes[semconv.GEN_AI_EMBEDDINGS_DIMENSION] = len(result.data[0].embedding)


# -- wrappers -----------------------------------------------------------------------------------------
def _handler(operation: str, is_async: bool, kwargs: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    stream = kwargs.get("stream") is True and not _is_raw(kwargs)
    if operation == "chat" or operation == "text_completion":
        if not stream:
            return kwargs, _ON_CHAT_ANSWER
        sent, added = _with_usage(kwargs)
        return sent, _on_chat(True, added, is_async)
    if operation == "embeddings":
        return kwargs, _on_embeddings
    return kwargs, _on_response(stream, is_async)


_ON_CHAT_ANSWER = _on_chat(False, False, False)  # a non-streamed answer: the same for every call


# partial, not a lambda: the per-call hop into _start / _handler costs no Python frame
def _sync(operation: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return sync_method(partial(_start, operation), partial(_handler, operation, False))


def _async(operation: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return async_method(partial(_start, operation), partial(_handler, operation, True))


_TARGETS = (
    ("openai.resources.chat.completions", "Completions", "AsyncCompletions", "chat"),
    ("openai.resources.responses", "Responses", "AsyncResponses", "responses"),
    ("openai.resources.embeddings", "Embeddings", "AsyncEmbeddings", "embeddings"),
    ("openai.resources.completions", "Completions", "AsyncCompletions", "text_completion"),
)


def instrument(capture_content: bool | None = None, **_: Any) -> None:
    """Patch the OpenAI client classes (idempotent). `capture_content`: record messages (default off,
    or PYFLARE_CAPTURE_CONTENT)."""
    _options["capture"] = capture_enabled(capture_content)
    if _patches.active:
        return
    import openai  # noqa: F401  (ImportError tells the caller the library is missing)

    for module, sync_cls, async_cls, operation in _TARGETS:
        _patches.wrap(module, sync_cls, "create", _sync(operation))
        _patches.wrap(module, async_cls, "create", _async(operation))


def uninstrument() -> None:
    _patches.undo()


def is_instrumented() -> bool:
    return _patches.active
