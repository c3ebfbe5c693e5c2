"""Admission of Kafka records by API key (scale mode): the key decides the project, as at `pyflare serve`.

The stock collector copies each client's `x-api-key` / `authorization` header into the record headers
of the same names (otelcol-config/config.yaml). A record is admitted when its key may write its
signal; its resources are then checked and stamped with the key's project (workers.telemetry.project_claim).
A record without a valid key, or naming a project its key cannot write to, is refused with the reason
and goes to the dead letters untouched (its bytes and headers), so it can be replayed once fixed.
Key lookups are injected (`pyflare ingest` wires the control plane's cached lookup).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from workers.ingest.ports import SourceMessage
from workers.telemetry.decode import decode_request
from workers.telemetry.errors import DecodeError
from workers.telemetry.project_claim import REQUEST_TYPES, ForeignProject, claim_project
from workers.telemetry.project_wire import UnusualEncoding, claim_project_bytes

KEY_HEADERS = ("x-api-key", "authorization")


class KeyRefused(Exception):
    """The key cannot write this signal; the message starts with `unauthenticated:` or `forbidden:`."""


# (plaintext key, signal) -> project slug; raises KeyRefused with a message saying why.
KeyLookup = Callable[[str, str], str]


@dataclass(frozen=True)
class Refused:
    reason: str


def header_key(headers: Sequence[tuple[str, bytes]]) -> str | None:
    """The key a record carries: `x-api-key`, else a bearer token in `authorization` (names in any case)."""
    found: dict[str, str] = {}
    for name, value in headers:
        lowered = name.lower()
        if lowered in KEY_HEADERS and lowered not in found and value:
            found[lowered] = value.decode("utf-8", "replace").strip()
    if found.get("x-api-key"):
        return found["x-api-key"]
    scheme, _, token = found.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class KeyAdmission:
    def __init__(self, lookup: KeyLookup, *, keyless_project: str | None = None) -> None:
        self._lookup = lookup
        self._keyless_project = keyless_project  # PYFLARE_OTLP_REQUIRE_KEY=false: keyless records go here

    def admit(self, signal: str, message: SourceMessage) -> SourceMessage | Refused:
        """The record to decode (stamped with its project), or why it is refused."""
        key = header_key(message.headers)
        if key is None:
            if self._keyless_project is None:
                return Refused("unauthenticated: the record carries no API key (x-api-key or authorization "
                               "header); the client must send one, and the collector pass it through")
            project = self._keyless_project
        else:
            try:
                project = self._lookup(key, signal)
            except KeyRefused as exc:
                return Refused(str(exc))
        try:
            try:
                value = claim_project_bytes(message.value, project)  # the outer shell only: cheap
            except UnusualEncoding:
                value = self._claim_parsed(signal, message.value, project)
        except ForeignProject as exc:
            return Refused(f"forbidden: {exc}")
        except DecodeError as exc:
            return Refused(f"cannot decode {signal} payload: {exc}")
        return message if value is message.value else replace(message, value=value)

    @staticmethod
    def _claim_parsed(signal: str, payload: bytes, project: str) -> bytes:
        request = decode_request(payload, "protobuf", REQUEST_TYPES[signal], signal)
        return request.SerializeToString() if claim_project(signal, request, project) else payload
