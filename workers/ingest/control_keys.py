"""The key lookup of `pyflare ingest`: the control plane's API keys (Django ORM), cached briefly.

A record's key costs one database read per key per `ttl_seconds` (webapp.apikeys.intake.IntakeKeys),
nothing per record. While the control database does not answer, the lookup waits and retries: a
record with a good key must not become a dead letter because the database was restarting.
"""

from __future__ import annotations

import logging
import time

from workers.env import default_django_settings
from workers.ingest.admission import KeyLookup, KeyRefused

log = logging.getLogger("pyflare.ingest")
_MAX_RETRY_DELAY = 30.0


def control_plane_keys(ttl_seconds: float) -> KeyLookup:
    from django.apps import apps

    if not apps.ready:
        import django

        default_django_settings()
        django.setup()
    from django.db import DatabaseError, close_old_connections

    from webapp.apikeys.intake import IntakeKeys, IntakeRefused

    keys = IntakeKeys(ttl_seconds)

    def lookup(plaintext: str, signal: str) -> str:
        delay = 0.5
        while True:
            try:
                return keys.project_for(plaintext, signal)
            except IntakeRefused as exc:
                raise KeyRefused(f"{exc.kind}: {exc.message}") from None
            except DatabaseError:
                log.exception("the control database did not answer a key lookup; retrying in %.1fs", delay)
                close_old_connections()
                time.sleep(delay)
                delay = min(delay * 2, _MAX_RETRY_DELAY)

    return lookup
