"""Which project an OTLP export may write to, decided by its API key (receivers and `pyflare ingest`).

A key writes to its own project only, and only the signals its role may write (`traces:write`,
`metrics:write`, `logs:write`). Answers are cached for a few seconds by the key's hash, so a busy
exporter costs one database read per `ttl_seconds`, not one per request; a revoked key stops being
accepted within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone

from webapp.apikeys.models import ApiKey
from webapp.apikeys.tokens import hash_key
from webapp.rbac import registry
from webapp.rbac.catalogue import WRITE_PERMISSIONS

HOW_TO_SEND = "send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'"
_MAX_KEY_CHARS = 512  # longer is no key of ours; refused before hashing or caching


class IntakeRefused(Exception):
    """The export may not be stored: `unauthenticated` (no valid key) or `forbidden` (not allowed)."""

    def __init__(self, kind: Literal["unauthenticated", "forbidden"], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class IntakeKey:
    project: str
    role: str
    prefix: str

    def project_for(self, signal: str) -> str:
        """The key's project, if its role may write `signal`; IntakeRefused otherwise."""
        needed = WRITE_PERMISSIONS[signal]
        if not registry.grants(self.role, needed):
            raise IntakeRefused(
                "forbidden", f"API key {self.prefix}… has role {self.role!r}, which lacks {needed!r}; "
                             f"use a key with role 'ingest' (or 'admin')"
            )
        return self.project


def read_intake_key(plaintext: str) -> IntakeKey:
    """The active key with this secret, from the control database; IntakeRefused if there is none."""
    key = ApiKey.objects.select_related("project").filter(key_hash=hash_key(plaintext)).first()
    if key is None:
        raise IntakeRefused("unauthenticated", f"invalid API key; {HOW_TO_SEND} with a key of this PyFlare")
    status = key.status()
    if status != "active":
        raise IntakeRefused("unauthenticated", f"API key {key.prefix}… is {status}")
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return IntakeKey(key.project.slug, key.role, key.prefix)


class IntakeKeys:
    """A short-lived cache in front of `read_intake_key` (bad keys are cached too)."""

    def __init__(self, ttl_seconds: float = 10.0, *, max_entries: int = 10_000,
                 read: Callable[[str], IntakeKey] = read_intake_key,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self._max = max_entries
        self._read = read
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, IntakeKey | IntakeRefused]] = {}

    def cached(self, plaintext: str) -> IntakeKey | IntakeRefused | None:
        """The cached answer for a key, or None when it must be read (call `lookup`)."""
        if len(plaintext) > _MAX_KEY_CHARS:
            return IntakeRefused("unauthenticated", f"invalid API key (longer than {_MAX_KEY_CHARS} characters)")
        with self._lock:
            entry = self._entries.get(hash_key(plaintext))
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def lookup(self, plaintext: str) -> IntakeKey:
        """The key (from the cache or the database); IntakeRefused when it may not send anything."""
        answer = self.cached(plaintext)
        if answer is None:
            try:
                answer = self._read(plaintext)
            except IntakeRefused as refused:
                answer = refused
            with self._lock:
                if len(self._entries) >= self._max:
                    self._entries.clear()
                self._entries[hash_key(plaintext)] = (self._clock() + self.ttl, answer)
        if isinstance(answer, IntakeRefused):
            raise IntakeRefused(answer.kind, answer.message)  # a fresh exception: callers run in many threads
        return answer

    def project_for(self, plaintext: str, signal: str) -> str:
        return self.lookup(plaintext).project_for(signal)
