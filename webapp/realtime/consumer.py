"""The `/ws` consumer: the seed's subscribe/unsubscribe protocol and live trace notifications.

Client → server: `{"action": "subscribe"|"unsubscribe", "channels": ["traces:*", "traces:gpt-4o"]}`.
Server → client: `{"type": "connected"|"subscribed"|"unsubscribed"|"error", ...}` and notifications
such as `{"type": "trace", "payload": {...}, "timestamp": ...}`. A connection only ever joins its
own project's group.
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from webapp.realtime.auth import FORBIDDEN, StreamAccess, StreamRefused, stream_access
from webapp.realtime.notifier import trace_group
from webapp.realtime.subscriptions import FAMILIES, ChannelError, Subscriptions, parse_channel

ACTIONS = ("subscribe", "unsubscribe")


class LiveConsumer(AsyncJsonWebsocketConsumer):
    access: StreamAccess | None = None

    async def connect(self) -> None:
        self.subscriptions = Subscriptions()
        try:
            self.access = await database_sync_to_async(stream_access)(self.scope)
        except StreamRefused as refused:
            # accept first so the client can read why; then close with an application code
            await self.accept()
            await self.send_json({"type": "error", "error": refused.message})
            await self.close(code=refused.code)
            return
        await self.channel_layer.group_add(trace_group(self.access.project), self.channel_name)
        await self.accept()
        await self.send_json({
            "type": "connected",
            "project": self.access.project,
            "channels": {name: family.description for name, family in FAMILIES.items()},
        })

    async def disconnect(self, code: int) -> None:
        if self.access is not None:
            await self.channel_layer.group_discard(trace_group(self.access.project), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.access is None:
            return
        try:
            content = json.loads(text_data or (bytes_data or b"").decode("utf-8", "replace"))
        except ValueError:
            await self._error('messages must be JSON objects like {"action": "subscribe", "channels": ["traces:*"]}')
            return
        await self.receive_json(content)

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
        if self.subscriptions.wants("traces", event["payload"]["models"]):
            await self.send_json(event)

    async def _error(self, text: str, code: int | None = None) -> None:
        body: dict[str, Any] = {"type": "error", "error": text}
        if code is not None:
            body["code"] = code
        await self.send_json(body)
