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

from webapp.apikeys.intake import HOW_TO_SEND, IntakeKeys, IntakeRefused
from webapp.serve.intake import IntakeClosed, IntakeQueue, PayloadRejected, QueueFull
from webapp.serve.payloads import OtlpSignal
from workers.telemetry.errors import DecodeError
from workers.telemetry.project_claim import ForeignProject, claim_project
from workers.telemetry.project_wire import UnusualEncoding, claim_project_bytes

RefusalKind = Literal["invalid", "unauthenticated", "forbidden", "too_large", "unsupported", "throttled", "unavailable"]
KEY_REQUIRED = (
    f"an API key is required; {HOW_TO_SEND} (the ingest key `pyflare serve` printed at its first start, "
    f"or a key made with `pyflare keys create` or POST /api/v1/api-keys)"
)


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
        self, queue: IntakeQueue, *, keys: IntakeKeys, keyless_project: str | None, retry_after_seconds: int,
        ack_timeout_seconds: float,
    ) -> None:
        self.queue = queue
        self.keys = keys
        self.keyless_project = keyless_project  # set only by PYFLARE_OTLP_REQUIRE_KEY=false
        self.retry_after = retry_after_seconds
        self.ack_timeout = ack_timeout_seconds

    def project_for(self, signal: OtlpSignal, plaintext: str | None) -> str:
        """The project this export goes to, decided by its key; a Refusal when there is none.

        May read the control database: call it from a thread, not from the event loop. A request
        that carries a key is checked even in keyless mode.
        """
        if not plaintext:
            if self.keyless_project is not None:
                return self.keyless_project
            raise Refusal("unauthenticated", KEY_REQUIRED)
        try:
            return self.keys.project_for(plaintext, signal.name)
        except IntakeRefused as exc:
            raise Refusal(exc.kind, exc.message) from None

    def cached_project(self, signal: OtlpSignal, plaintext: str | None) -> str | None:
        """`project_for` when it needs no database read, else None (then call `project_for` in a thread)."""
        if plaintext:
            answer = self.keys.cached(plaintext)
            if answer is None:
                return None
            if isinstance(answer, IntakeRefused):
                raise Refusal(answer.kind, answer.message)
            try:
                return answer.project_for(signal.name)
            except IntakeRefused as exc:
                raise Refusal(exc.kind, exc.message) from None
        return self.project_for(signal, plaintext)

    def decode(self, signal: OtlpSignal, payload: bytes, encoding: str) -> Message:
        try:
            return signal.decode(payload, encoding)
        except DecodeError as exc:
            raise Refusal("invalid", str(exc)) from None

    def accept(self, signal: OtlpSignal, request: Message, project: str, wire: bytes | None = None) -> Accepted:
        """Validate and queue a decoded request; `wire` is its protobuf encoding if the client sent one."""
        try:
            items = signal.check(request)
        except DecodeError as exc:
            raise Refusal("invalid", str(exc)) from None
        try:
            wire = self._claimed_wire(signal, request, project, wire)
        except ForeignProject as exc:
            raise Refusal("forbidden", str(exc)) from None
        if items == 0:
            return Accepted(0, None)
        payload = wire if wire is not None else request.SerializeToString()
        try:
            return Accepted(items, self.queue.offer(signal.topic, payload, items))
        except QueueFull as exc:
            raise Refusal("throttled", str(exc), self.retry_after) from None
        except IntakeClosed as exc:
            raise Refusal("unavailable", str(exc), self.retry_after) from None

    @staticmethod
    def _claimed_wire(signal: OtlpSignal, request: Message, project: str, wire: bytes | None) -> bytes | None:
        """The project rule; the protobuf to queue (None: encode `request`, which it then stamped)."""
        if wire is not None:
            try:
                return claim_project_bytes(wire, project)  # the outer shell only, no re-encoding
            except UnusualEncoding:
                pass
        return None if claim_project(signal.name, request, project) else wire

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
