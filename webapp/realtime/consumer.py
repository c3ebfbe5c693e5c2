"""The `/ws` consumer: the seed's subscribe/unsubscribe protocol and live trace notifications.

Client → server: `{"action": "subscribe"|"unsubscribe", "channels": ["traces:*", "traces:gpt-4o"]}`,
preceded by `{"type": "auth", "api_key": "<key>"}` when the upgrade request carried no credentials.
Server → client: `{"type": "auth_required"|"connected"|"subscribed"|"unsubscribed"|"error", ...}` and
notifications such as `{"type": "trace", "payload": {...}, "timestamp": ...}`. A connection only
ever joins its own project's group. A socket opened with an API key re-checks it every
PYFLARE_WS_KEY_RECHECK_SECONDS (and before sending when that long has passed) and is closed with
4401 once the key is revoked, expired or deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from webapp.realtime.auth import (
    FORBIDDEN,
    UNAUTHENTICATED,
    CredentialsMissing,
    StreamAccess,
    StreamRefused,
    key_is_active,
    stream_access,
)
from webapp.realtime.subscriptions import FAMILIES, ChannelError, Subscriptions, parse_channel
from workers.ingest.notify import trace_group

ACTIONS = ("subscribe", "unsubscribe")


AUTH_HINT = (
    'authenticate: send {"type": "auth", "api_key": "<key>"} as the first message, or open the socket '
    "with an X-API-Key or Authorization: Bearer header, or a session login"
)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    access: StreamAccess | None = None
    awaiting_auth = False
    _watch: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.subscriptions = Subscriptions()
        self._key_checked = time.monotonic()
        try:
            access = await database_sync_to_async(stream_access)(self.scope)
        except CredentialsMissing:
            await self.accept()
            self.awaiting_auth = True
            await self.send_json({"type": "auth_required", "message": AUTH_HINT})
            self._watch = asyncio.create_task(self._auth_deadline())
            return
        except StreamRefused as refused:
            await self.accept()  # first, so the client can read why; then close with an application code
            await self._refuse(refused)
            return
        await self.accept()
        await self._admit(access)

    async def _admit(self, access: StreamAccess) -> None:
        self.access = access
        await self.channel_layer.group_add(trace_group(access.project), self.channel_name)
        await self.send_json(
            {
                "type": "connected",
                "project": access.project,
                "channels": {name: family.description for name, family in FAMILIES.items()},
            }
        )
        if access.key_id is not None:
            self._watch = asyncio.create_task(self._watch_key())

    async def _refuse(self, refused: StreamRefused) -> None:
        self.access = None
        self.awaiting_auth = False
        await self.send_json({"type": "error", "error": refused.message})
        await self.close(code=refused.code, reason=refused.message[:120])

    async def _auth_deadline(self) -> None:
        await asyncio.sleep(settings.WS_AUTH_TIMEOUT_SECONDS)
        if self.awaiting_auth:
            await self._refuse(StreamRefused(UNAUTHENTICATED, f"no credentials in time; {AUTH_HINT}"))

    async def _watch_key(self) -> None:
        while self.access is not None:
            await asyncio.sleep(settings.WS_KEY_RECHECK_SECONDS)
            await self._key_still_valid(force=True)

    async def _key_still_valid(self, force: bool = False) -> bool:
        """False (and the socket closed) once the key this socket opened with is no longer active."""
        access = self.access
        if access is None:
            return False
        if access.key_id is None:
            return True
        now = time.monotonic()
        if not force and now - self._key_checked < settings.WS_KEY_RECHECK_SECONDS:
            return True
        self._key_checked = now
        if await database_sync_to_async(key_is_active)(access.key_id):
            return True
        if self.access is None:
            return False  # a concurrent check closed it already
        self.access = None
        await self.channel_layer.group_discard(trace_group(access.project), self.channel_name)
        await self._refuse(StreamRefused(UNAUTHENTICATED, "the API key of this connection was revoked"))
        return False

    async def disconnect(self, code: int) -> None:
        if self._watch is not None and self._watch is not asyncio.current_task():
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watch
        if self.access is not None:
            await self.channel_layer.group_discard(trace_group(self.access.project), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.access is None and not self.awaiting_auth:
            return
        try:
            content = json.loads(text_data or (bytes_data or b"").decode("utf-8", "replace"))
        except ValueError:
            content = None
        if self.awaiting_auth:
            await self._first_message(content)
            return
        if content is None:
            await self._error('messages must be JSON objects like {"action": "subscribe", "channels": ["traces:*"]}')
            return
        if await self._key_still_valid():
            await self.receive_json(content)

    async def _first_message(self, content: Any) -> None:
        key = content.get("api_key") if isinstance(content, dict) and content.get("type") == "auth" else None
        if not isinstance(key, str) or not key.strip():
            await self._refuse(StreamRefused(UNAUTHENTICATED, f"the first message must authenticate; {AUTH_HINT}"))
            return
        self.awaiting_auth = False
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        try:
            access = await database_sync_to_async(stream_access)(self.scope, key)
        except StreamRefused as refused:
            await self._refuse(refused)
            return
        await self._admit(access)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        channels = content.get("channels") if isinstance(content, dict) else None
        if action not in ACTIONS:
            await self._error(f"unknown action {action!r}; valid: {', '.join(ACTIONS)}")
            return
        if not isinstance(channels, list) or not channels:
            await self._error("'channels' must be a non-empty list such as [\"traces:*\"]")
            return
        try:
            parsed = [parse_channel(c) for c in channels]
        except ChannelError as exc:
            await self._error(str(exc))
            return
        assert self.access is not None
        denied = sorted({f.permission for f, _ in parsed if not self.access.can(f.permission)})
        if denied:
            await self._error(f"your role {self.access.role!r} lacks {', '.join(denied)}", code=FORBIDDEN)
            return
        for family, target in parsed:
            if action == "subscribe":
                self.subscriptions.add(family.name, target)
            else:
                self.subscriptions.remove(family.name, target)
        await self.send_json(
            {"type": f"{action}d", "channels": channels, "subscriptions": self.subscriptions.channels()}
        )

    async def trace_notification(self, message: dict[str, Any]) -> None:
        """A stored trace of this connection's project (from TraceNotifier); sent if subscribed."""
        event = message["event"]
        if self.subscriptions.wants("traces", event["payload"]["models"]) and await self._key_still_valid():
            await self.send_json(event)

    async def _error(self, text: str, code: int | None = None) -> None:
        body: dict[str, Any] = {"type": "error", "error": text}
        if code is not None:
            body["code"] = code
        await self.send_json(body)
