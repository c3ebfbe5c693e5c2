"""Readiness checks: a registry other components add to (the ClickHouse check, the ingest queue).

A check is a function that returns a short detail string when healthy and raises when not.
`GET /api/v1/ready` runs them all and answers 503 if any fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

ReadinessCheck = Callable[[], str]

_CHECKS: dict[str, ReadinessCheck] = {}


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    duration_ms: float


def register_check(name: str, check: ReadinessCheck) -> None:
    """Add (or replace) a named check; later components call this from their AppConfig.ready()."""
    _CHECKS[name] = check


def unregister_check(name: str) -> None:
    _CHECKS.pop(name, None)


def registered_checks() -> list[str]:
    return list(_CHECKS)


def run_checks() -> list[CheckResult]:
    results = []
    for name, check in list(_CHECKS.items()):
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # a failing dependency is reported, never raised
            detail, ok = f"{type(exc).__name__}: {exc}", False
        results.append(CheckResult(name, ok, detail, round((time.perf_counter() - started) * 1000, 2)))
    return results


def control_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return f"{connection.vendor} reachable"


def register_builtin_checks() -> None:
    register_check("control_db", control_database)
