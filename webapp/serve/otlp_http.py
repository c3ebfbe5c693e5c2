"""The OTLP/HTTP receiver: a small ASGI app for POST /v1/traces, /v1/metrics and /v1/logs.

Protobuf and OTLP/JSON bodies, gzip or not. Answers follow the OTLP/HTTP spec: 200 with an empty
Export*ServiceResponse in the request's encoding once the data is stored; 4xx/5xx with a
google.rpc.Status body; 429/503 with Retry-After when the client should retry. CORS for browser
SDKs from PYFLARE_OTLP_CORS_ORIGINS.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2

from webapp.serve.credentials import bearer_or_header_key
from webapp.serve.intake import PayloadRejected
from webapp.serve.payloads import SIGNAL_BY_PATH, OtlpSignal
from webapp.serve.receiver import Accepted, OtlpReceiver, Refusal

log = logging.getLogger("pyflare.serve.otlp")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MEDIA_TYPES = {"application/x-protobuf": "protobuf", "application/json": "json"}
CONTENT_TYPE = {"protobuf": "application/x-protobuf", "json": "application/json"}
_HTTP_STATUS = {
    "invalid": 400, "unauthenticated": 401, "forbidden": 403, "too_large": 413,
    "unsupported": 415, "throttled": 429, "unavailable": 503,
}
_RPC_CODE = {
    400: code_pb2.INVALID_ARGUMENT, 401: code_pb2.UNAUTHENTICATED, 403: code_pb2.PERMISSION_DENIED,
    404: code_pb2.NOT_FOUND, 405: code_pb2.UNIMPLEMENTED, 411: code_pb2.INVALID_ARGUMENT,
    413: code_pb2.INVALID_ARGUMENT, 415: code_pb2.INVALID_ARGUMENT, 429: code_pb2.RESOURCE_EXHAUSTED,
    503: code_pb2.UNAVAILABLE,
}
_THREAD_DECODE_BYTES = 512 * 1024  # larger bodies are decoded off the event loop
_ALLOWED_REQUEST_HEADERS = "Content-Type, Content-Encoding, X-API-Key, Authorization"


def _encode(message: Message, encoding: str) -> bytes:
    if encoding == "json":
        return json_format.MessageToJson(message, indent=None).encode()
    return message.SerializeToString()


class OtlpHttpApp:
    def __init__(self, receiver: OtlpReceiver, *, max_body_bytes: int, cors_origins: tuple[str, ...]) -> None:
        self.receiver = receiver
        self.max_body = max_body_bytes
        self.cors_origins = cors_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        reply = _Reply(send, self._cors_headers(headers.get("origin")))
        signal = SIGNAL_BY_PATH.get(scope["path"].rstrip("/") or "/")
        if signal is None:
            paths = ", ".join(SIGNAL_BY_PATH)
            await reply.status(404, f"no OTLP endpoint at {scope['path']!r}; POST to {paths}")
            return
        if scope["method"] == "OPTIONS":
            await self._preflight(reply, headers)
            return
        if scope["method"] != "POST":
            await reply.status(405, f"{signal.path} accepts POST only", extra=[(b"allow", b"POST, OPTIONS")])
            return
        if "content-length" not in headers and "chunked" not in headers.get("transfer-encoding", "").lower():
            # HTTP reads such a body as empty: a 200 would tell the client data was stored that was never read
            await reply.status(411, "send the body with a Content-Length or Transfer-Encoding: chunked")
            return
        try:
            await self._export(signal, headers, receive, reply)
        except Refusal as refusal:
            if refusal.kind not in ("invalid", "throttled", "unavailable"):
                log.info("OTLP %s refused (%s): %s", signal.path, refusal.kind, refusal.message)
            await reply.refusal(refusal)

    async def _export(self, signal: OtlpSignal, headers: dict[str, str], receive: Receive, reply: _Reply) -> None:
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        encoding = MEDIA_TYPES.get(media_type)
        if encoding is None:
            raise Refusal("unsupported", f"Content-Type {media_type or '(none)'!r} is not accepted; "
                                         f"send {' or '.join(MEDIA_TYPES)}")
        reply.encoding = encoding
        compression = headers.get("content-encoding", "").strip().lower()
        if compression not in ("", "identity", "gzip"):
            raise Refusal("unsupported", f"Content-Encoding {compression!r} is not accepted; send gzip or none")
        key = bearer_or_header_key(headers.get("x-api-key"), headers.get("authorization"))
        project = self.receiver.cached_project(signal, key)  # the key is checked before the body is read
        if project is None:
            project = await database_sync_to_async(self.receiver.project_for)(signal, key)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise Refusal("too_large", f"body of {declared} bytes exceeds the limit of {self.max_body} bytes")
        body = await self._read_body(receive)
        if compression == "gzip":
            body = self._gunzip(body)
        if len(body) > _THREAD_DECODE_BYTES:
            accepted = await asyncio.to_thread(self._accept, signal, body, encoding, project)
        else:
            accepted = self._accept(signal, body, encoding, project)
        if accepted.stored is not None:
            waiter = asyncio.wrap_future(accepted.stored)
            done, _pending = await asyncio.wait({waiter}, timeout=self.receiver.ack_timeout)
            if not done:
                raise self.receiver.not_stored()
            try:
                waiter.result()
            except PayloadRejected as exc:
                raise Refusal("invalid", str(exc)) from None
        await reply.message(200, signal.response_type())

    def _accept(self, signal: OtlpSignal, body: bytes, encoding: str, project: str) -> Accepted:
        request = self.receiver.decode(signal, body, encoding)
        return self.receiver.accept(signal, request, project, wire=body if encoding == "protobuf" else None)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                raise Refusal("invalid", "the client disconnected before the body was complete")
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise Refusal("too_large", f"body exceeds the limit of {self.max_body} bytes")
            chunks.append(chunk)
            if not event.get("more_body", False):
                return b"".join(chunks)

    def _gunzip(self, body: bytes) -> bytes:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = inflater.decompress(body, self.max_body + 1)
        except zlib.error as exc:
            raise Refusal("invalid", f"Content-Encoding is gzip but the body is not valid gzip: {exc}") from None
        if len(out) > self.max_body or inflater.unconsumed_tail:
            raise Refusal("too_large", f"decompressed body exceeds the limit of {self.max_body} bytes")
        if not inflater.eof:
            raise Refusal("invalid", "the gzip body is truncated")
        return out

    def _cors_headers(self, origin: str | None) -> list[tuple[bytes, bytes]]:
        if not origin or not ("*" in self.cors_origins or origin in self.cors_origins):
            return []
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-expose-headers", b"Retry-After"),
            (b"vary", b"Origin"),
        ]

    async def _preflight(self, reply: _Reply, headers: dict[str, str]) -> None:
        if not reply.cors:
            await reply.status(403, f"origin {headers.get('origin', '(none)')!r} is not in PYFLARE_OTLP_CORS_ORIGINS")
            return
        asked = headers.get("access-control-request-headers", "")
        await reply.raw(204, b"", [
            (b"access-control-allow-methods", b"POST, OPTIONS"),
            (b"access-control-allow-headers", (asked or _ALLOWED_REQUEST_HEADERS).encode("latin-1")),
            (b"access-control-max-age", b"600"),
        ])


class _Reply:
    """One response, in the request's encoding once it is known (protobuf until then)."""

    def __init__(self, send: Send, cors: list[tuple[bytes, bytes]]) -> None:
        self._send = send
        self.cors = cors
        self.encoding = "protobuf"

    async def raw(self, code: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None,
                  content_type: str | None = None) -> None:
        headers = [(b"content-length", str(len(body)).encode()), *self.cors, *(extra or [])]
        if content_type:
            headers.append((b"content-type", content_type.encode()))
        await self._send({"type": "http.response.start", "status": code, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})

    async def message(self, code: int, message: Message, extra: list[tuple[bytes, bytes]] | None = None) -> None:
        await self.raw(code, _encode(message, self.encoding), extra, CONTENT_TYPE[self.encoding])

    async def status(self, code: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
        await self.message(code, status_pb2.Status(code=_RPC_CODE.get(code, code_pb2.UNKNOWN), message=text), extra)

    async def refusal(self, refusal: Refusal) -> None:
        extra = [] if refusal.retry_after is None else [(b"retry-after", str(refusal.retry_after).encode())]
        await self.status(_HTTP_STATUS[refusal.kind], refusal.message, extra)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        event = await receive()
        if event["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif event["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
