"""What both OTLP transports share: key check, validation, the project rule, queueing, the answer.

Transports turn a `Refusal` into their own status (HTTP code or gRPC status); the kinds follow the
OTLP spec's split between permanent errors (bad data, auth) and retryable ones (throttling,
shutdown).
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Literal

from google.protobuf.message import Message
from rest_framework.exceptions import AuthenticationFailed

from webapp.apikeys.authentication import authenticate_key
from webapp.rbac import registry
from webapp.serve.intake import IntakeClosed, IntakeQueue, PayloadRejected, QueueFull
from webapp.serve.payloads import OtlpSignal, assign_project
from workers.telemetry.errors import DecodeError

RefusalKind = Literal["invalid", "unauthenticated", "forbidden", "too_large", "unsupported", "throttled", "unavailable"]
INTAKE_PERMISSION = "traces:write"


class Refusal(Exception):
    def __init__(self, kind: RefusalKind, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Accepted:
    items: int
    stored: Future[None] | None  # None: the request held no items, nothing to wait for


class OtlpReceiver:
    def __init__(
        self, queue: IntakeQueue, *, require_key: bool, retry_after_seconds: int, ack_timeout_seconds: float
    ) -> None:
        self.queue = queue
        self.require_key = require_key
        self.retry_after = retry_after_seconds
        self.ack_timeout = ack_timeout_seconds

    def key_project(self, plaintext: str | None) -> str | None:
        """The project forced onto the telemetry, from the key (None when keys are not required).

        Reads the control database: call it from a thread, not from the event loop.
        """
        if not self.require_key:
            return None
        if not plaintext:
            raise Refusal("unauthenticated", "an API key is required: X-API-Key: <key> or Authorization: Bearer <key>")
        try:
            _principal, key = authenticate_key(plaintext)
        except AuthenticationFailed as exc:
            raise Refusal("unauthenticated", str(exc.detail)) from None
        if not registry.grants(key.role, INTAKE_PERMISSION):
            raise Refusal("forbidden", f"this API key's role {key.role!r} lacks {INTAKE_PERMISSION!r}")
        return key.project.slug

    def decode(self, signal: OtlpSignal, payload: bytes, encoding: str) -> Message:
        try:
            return signal.decode(payload, encoding)
        except DecodeError as exc:
            raise Refusal("invalid", str(exc)) from None

    def accept(self, signal: OtlpSignal, request: Message, project: str | None, wire: bytes | None = None) -> Accepted:
        """Validate and queue a decoded request; `wire` is its protobuf encoding if the client sent one."""
        try:
            items = signal.check(request)
        except DecodeError as exc:
            raise Refusal("invalid", str(exc)) from None
        if items == 0:
            return Accepted(0, None)
        if project is not None:
            assign_project(signal, request, project)
            wire = None
        payload = wire if wire is not None else request.SerializeToString()
        try:
            return Accepted(items, self.queue.offer(signal.topic, payload, items))
        except QueueFull as exc:
            raise Refusal("throttled", str(exc), self.retry_after) from None
        except IntakeClosed as exc:
            raise Refusal("unavailable", str(exc), self.retry_after) from None

    def not_stored(self) -> Refusal:
        return Refusal(
            "unavailable",
            f"accepted but not stored within {self.ack_timeout:g}s; retry later (spans are de-duplicated by id)",
            self.retry_after,
        )

    def wait_stored(self, accepted: Accepted) -> None:
        """Block until the request is stored (gRPC threads); raises Refusal otherwise."""
        if accepted.stored is None:
            return
        try:
            accepted.stored.result(timeout=self.ack_timeout)
        except FutureTimeout:
            raise self.not_stored() from None
        except PayloadRejected as exc:
            raise Refusal("invalid", str(exc)) from None
