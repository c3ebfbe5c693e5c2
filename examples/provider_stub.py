"""A local server that speaks OpenAI's and Anthropic's HTTP APIs with deterministic answers.

The examples run against it (`python examples/provider_stub.py` serves it on a port and prints its
URL), and so do the SDK's integration tests and the compatibility suite: the real `openai` and
`anthropic` clients (and LangChain over them) call it instead of the providers.
Each request names its case with a `[case:NAME]` tag in its text; the answer, the usage and the
finish reason of every case are fixed in `CASES`, which the tests read as the truth to compare
stored spans with. Supported: chat completions (plain, tool calls, streamed with and without usage),
legacy completions, embeddings (float and base64), the Responses API, Anthropic messages (plain,
tool use, cache read/write usage, streamed), Azure OpenAI deployment paths, and provider errors
(`[error:429]` etc., see `ERRORS`).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOOL = ("get_weather", '{"city": "Paris"}')


@dataclass(frozen=True)
class Case:
    """What the provider answers to one tagged request."""

    text: str = ""  # the answer ('' for tool calls and embeddings)
    input_tokens: int = 0  # OpenAI: prompt tokens incl. cached ones; Anthropic: uncached input only
    output_tokens: int = 0
    cache_read: int = 0
    cache_write: int = 0  # Anthropic only
    tool_call: tuple[str, str] | None = None  # (name, JSON arguments)
    usage_in_stream: bool = True  # False: the stream carries no usage even when asked
    extra: dict[str, Any] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "chat": Case("Paris is the capital of France.", 31, 7),
    "chat-cached": Case("It is still Paris.", 2048, 12, cache_read=1536),
    "stream-usage": Case("One two three.", 25, 6),
    "stream-no-usage": Case("Four five six.", 26, 5),
    "tools": Case("", 80, 15, tool_call=TOOL),
    "embeddings": Case("", 9, 0),
    "responses": Case("Bonjour.", 18, 4),
    "chain": Case("A chain answer.", 44, 9),
    "messages": Case("Hello from Claude.", 40, 9),
    "messages-cache": Case("Cached hello.", 120, 30, cache_read=800, cache_write=1500),
    "messages-stream": Case("Streamed hello.", 33, 8, cache_read=64),
    "messages-tools": Case("", 61, 19, tool_call=TOOL),
    "completion": Case("Lyon and Marseille.", 12, 5),
    "chat-reasoning": Case("Thought it through.", 50, 300, cache_read=0, extra={"reasoning": 256}),
    "agent-answer": Case("It is sunny in Paris.", 95, 11),
    "rag": Case("PyFlare stores spans in ClickHouse.", 120, 10),
    "summary": Case("A short summary.", 60, 6),
}
# `[error:STATUS]` in a request makes the server answer with that provider error instead
ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "the request names an unsupported parameter"),
    401: ("authentication_error", "invalid x-api-key"),
    429: ("rate_limit_error", "rate limit reached for requests"),
    500: ("api_error", "the server had an error while processing your request"),
}
_ERROR_TAG = re.compile(r"\[error:(\d{3})\]")
# OpenAI answers with dated ids, as the real API does
DATED = {"gpt-4o-mini": "gpt-4o-mini-2024-07-18", "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14"}
_TAG = re.compile(r"\[case:([a-z-]+)\]")
# the query string of the last request per path, so tests can check what a client sent
LAST_QUERY: dict[str, str] = {}
EMBEDDING_DIM = 8


def case_of(body: Any) -> tuple[str, Case]:
    # the last tag wins: a conversation's newest message (e.g. a tool result) names the next answer
    found = _TAG.findall(json.dumps(body))
    if not found or found[-1] not in CASES:
        raise KeyError(f"request names no known case: {json.dumps(body)[:300]}")
    return found[-1], CASES[found[-1]]


class _Ids:
    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next(self, prefix: str, name: str) -> str:
        with self._lock:
            n = next(self._counter)
        return f"{prefix}{hashlib.sha1(f'{name}:{n}'.encode()).hexdigest()[:24]}"


IDS = _Ids()


# -- OpenAI ---------------------------------------------------------------------------------------
def _openai_usage(case: Case) -> dict[str, Any]:
    return {
        "prompt_tokens": case.input_tokens, "completion_tokens": case.output_tokens,
        "total_tokens": case.input_tokens + case.output_tokens,
        "prompt_tokens_details": {"cached_tokens": case.cache_read, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": case.extra.get("reasoning", 0), "audio_tokens": 0},
    }  # fmt: skip


def _tool_calls(case: Case, call_id: str) -> list[dict[str, Any]]:
    assert case.tool_call is not None
    name, arguments = case.tool_call
    return [{"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]


def chat_completion(body: dict[str, Any]) -> dict[str, Any]:
    name, case = case_of(body)
    rid = IDS.next("chatcmpl-", name)
    message: dict[str, Any] = {"role": "assistant", "content": case.text or None, "refusal": None}
    if case.tool_call:
        message["tool_calls"] = _tool_calls(case, "call_" + rid[-8:])
    return {
        "id": rid, "object": "chat.completion", "created": 1_760_000_000,
        "model": DATED.get(body["model"], body["model"]), "system_fingerprint": "fp_compat",
        "choices": [{"index": 0, "message": message, "logprobs": None,
                     "finish_reason": "tool_calls" if case.tool_call else "stop"}],
        "usage": _openai_usage(case),
    }  # fmt: skip


def chat_chunks(body: dict[str, Any]) -> list[dict[str, Any]]:
    name, case = case_of(body)
    rid = IDS.next("chatcmpl-", name)
    base = {"id": rid, "object": "chat.completion.chunk", "created": 1_760_000_000,
            "model": DATED.get(body["model"], body["model"]), "system_fingerprint": "fp_compat"}  # fmt: skip
    with_usage = bool((body.get("stream_options") or {}).get("include_usage")) and case.usage_in_stream

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        out = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        if with_usage:
            out["usage"] = None
        return out

    chunks = [chunk({"role": "assistant", "content": ""})]
    if case.tool_call:
        (call,) = _tool_calls(case, "call_" + rid[-8:])
        chunks.append(chunk({"tool_calls": [{"index": 0, **call}]}))
    else:
        words = case.text.split(" ")
        chunks += [chunk({"content": w if i == 0 else " " + w}) for i, w in enumerate(words)]
    chunks.append(chunk({}, "tool_calls" if case.tool_call else "stop"))
    if with_usage:
        chunks.append({**base, "choices": [], "usage": _openai_usage(case)})
    return chunks


def completion(body: dict[str, Any]) -> dict[str, Any]:
    """Legacy `/completions`."""
    name, case = case_of(body)
    return {"id": IDS.next("cmpl-", name), "object": "text_completion", "created": 1_760_000_000,
            "model": body["model"], "choices": [{"index": 0, "text": case.text, "logprobs": None,
                                                 "finish_reason": "stop"}],
            "usage": _openai_usage(case)}  # fmt: skip


def embeddings(body: dict[str, Any]) -> dict[str, Any]:
    _, case = case_of(body)
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = []
    for i, _text in enumerate(inputs):
        vector = [round((i + 1) * 0.125 * (k + 1), 6) for k in range(EMBEDDING_DIM)]
        if body.get("encoding_format") == "base64":
            value: Any = base64.b64encode(struct.pack(f"<{EMBEDDING_DIM}f", *vector)).decode()
        else:
            value = vector
        data.append({"object": "embedding", "index": i, "embedding": value})
    return {"object": "list", "data": data, "model": body["model"],
            "usage": {"prompt_tokens": case.input_tokens, "total_tokens": case.input_tokens}}  # fmt: skip


def response(body: dict[str, Any]) -> dict[str, Any]:
    name, case = case_of(body)
    rid = IDS.next("resp_", name)
    return {
        "id": rid, "object": "response", "created_at": 1_760_000_000, "status": "completed",
        "model": DATED.get(body["model"], body["model"]), "error": None, "incomplete_details": None,
        "instructions": body.get("instructions"), "metadata": {}, "parallel_tool_calls": True,
        "temperature": 1.0, "top_p": 1.0, "tool_choice": "auto", "tools": [], "text": {"format": {"type": "text"}},
        "output": [{"type": "message", "id": "msg_" + rid[-12:], "status": "completed", "role": "assistant",
                    "content": [{"type": "output_text", "text": case.text, "annotations": []}]}],
        "usage": {"input_tokens": case.input_tokens, "output_tokens": case.output_tokens,
                  "total_tokens": case.input_tokens + case.output_tokens,
                  "input_tokens_details": {"cached_tokens": case.cache_read},
                  "output_tokens_details": {"reasoning_tokens": 0}},
    }  # fmt: skip


def response_events(body: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """A streamed Responses API answer: created, one text delta per word, completed (no [DONE])."""
    final = response(body)
    item_id = final["output"][0]["id"]
    text = final["output"][0]["content"][0]["text"]
    words = [w + " " for w in text.split(" ")]
    words[-1] = words[-1][:-1]
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {**final, "status": "in_progress", "output": [], "usage": None}}
    ]
    events += [
        {
            "type": "response.output_text.delta",
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
            "delta": word,
            "logprobs": [],
        }
        for word in words
    ]
    events.append({"type": "response.completed", "response": final})
    return [(e["type"], {**e, "sequence_number": i}) for i, e in enumerate(events)]  # fmt: skip


# -- Anthropic ------------------------------------------------------------------------------------
def _anthropic_usage(case: Case, output: bool = True) -> dict[str, Any]:
    return {"input_tokens": case.input_tokens, "output_tokens": case.output_tokens if output else 1,
            "cache_read_input_tokens": case.cache_read, "cache_creation_input_tokens": case.cache_write}  # fmt: skip


def _anthropic_content(case: Case, rid: str) -> list[dict[str, Any]]:
    if case.tool_call:
        name, arguments = case.tool_call
        return [{"type": "tool_use", "id": "toolu_" + rid[-10:], "name": name, "input": json.loads(arguments)}]
    return [{"type": "text", "text": case.text}]


def message(body: dict[str, Any]) -> dict[str, Any]:
    name, case = case_of(body)
    rid = IDS.next("msg_", name)
    return {"id": rid, "type": "message", "role": "assistant", "model": body["model"],
            "content": _anthropic_content(case, rid), "stop_reason": "tool_use" if case.tool_call else "end_turn",
            "stop_sequence": None, "usage": _anthropic_usage(case)}  # fmt: skip


def message_events(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    name, case = case_of(body)
    rid = IDS.next("msg_", name)
    start = {"id": rid, "type": "message", "role": "assistant", "model": body["model"], "content": [],
             "stop_reason": None, "stop_sequence": None, "usage": _anthropic_usage(case, output=False)}  # fmt: skip
    events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": start})]
    (block,) = _anthropic_content(case, rid)
    if block["type"] == "text":
        events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                               "content_block": {"type": "text", "text": ""}}))  # fmt: skip
        for i, word in enumerate(case.text.split(" ")):
            delta = {"type": "text_delta", "text": word if i == 0 else " " + word}
            events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}))
    else:
        events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                               "content_block": {**block, "input": {}}}))  # fmt: skip
        delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}))
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    events.append(("message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use" if case.tool_call else "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": case.output_tokens},
    }))  # fmt: skip
    events.append(("message_stop", {"type": "message_stop"}))
    return events


# -- HTTP -----------------------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms a call
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        path, _, query = self.path.partition("?")
        path = path.rstrip("/")
        LAST_QUERY[path] = query
        error = _ERROR_TAG.search(json.dumps(body))
        if error and int(error.group(1)) in ERRORS:
            status = int(error.group(1))
            kind, text = ERRORS[status]
            if path.endswith("/messages"):  # Anthropic's error shape
                return self._json({"type": "error", "error": {"type": kind, "message": text}}, status)
            return self._json({"error": {"message": text, "type": kind, "param": None, "code": kind}}, status)
        try:
            if path.endswith("/chat/completions"):
                if body.get("stream"):
                    return self._sse([(None, c) for c in chat_chunks(body)], done=True)
                return self._json(chat_completion(body))
            if path.endswith("/completions"):
                return self._json(completion(body))
            if path.endswith("/embeddings"):
                return self._json(embeddings(body))
            if path.endswith("/responses"):
                if body.get("stream"):
                    return self._sse(response_events(body), done=False)
                return self._json(response(body))
            if path.endswith("/messages"):
                if body.get("stream"):
                    return self._sse(message_events(body), done=False)
                return self._json(message(body))
        except KeyError as exc:
            return self._json({"error": {"message": str(exc), "type": "invalid_request_error"}}, 400)
        return self._json({"error": {"message": f"no route {path}", "type": "not_found"}}, 404)

    def _json(self, payload: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, events: list[tuple[str | None, dict[str, Any]]], done: bool) -> None:
        lines = []
        for name, data in events:
            if name:
                lines.append(f"event: {name}\n")
            lines.append(f"data: {json.dumps(data)}\n\n")
        if done:
            lines.append("data: [DONE]\n\n")
        payload = "".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class ProviderServer:
    """The server on a free 127.0.0.1 port, served from a daemon thread."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="compat-provider", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ProviderServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":  # serve until interrupted: `python examples/provider_stub.py`
    import time

    with ProviderServer() as stub:
        print(stub.url, flush=True)
        while True:
            time.sleep(3600)
