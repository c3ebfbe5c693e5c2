"""The ClickHouse client the API reads telemetry with (traces, metrics, logs, feedback, costs, drift).

One client per thread: chdb handles and HTTP sessions each serialise their calls, so concurrent
requests get their own (and never ingest's). Reads run under the SQL endpoint's time and memory
limits (PYFLARE_QUERY_MAX_EXECUTION_SECONDS, PYFLARE_QUERY_MAX_MEMORY_BYTES); a read that hits one
is a 422. The client comes from `providers.telemetry` (webapp/api/providers.py); tests override it there.

Failures are errors of this module, not HTTP ones (services and jobs call it too): the API's
exception handler (`webapp/api/errors.py`) answers StorageUnavailable with 503 and ReadLimitExceeded
with 422.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from workers.storage.traces.reader import RowReader

_local = threading.local()


# ClickHouse error codes of the read limits (src/Common/ErrorCodes.cpp)
_LIMIT_SETTINGS = {241: "PYFLARE_QUERY_MAX_MEMORY_BYTES", 159: "PYFLARE_QUERY_MAX_EXECUTION_SECONDS"}


class ReadLimitExceeded(Exception):
    """A telemetry read hit the time or memory limit; the message names the setting."""


class StorageUnavailable(Exception):
    """The telemetry store (ClickHouse) cannot be reached, or a read or write on it failed."""

    def __init__(self, message: str = "the telemetry store (ClickHouse) cannot be reached") -> None:
        super().__init__(message)


# Clients of threads that ended, for the next threads: each request runs on a new thread, and
# opening a chdb client costs ~10 ms (over 100 ms while a heavy query runs).
_idle: dict[tuple[str, str], list[Client]] = {}
_idle_lock = threading.Lock()


class _Lease:
    """A thread's client; given back to `_idle` when the thread's locals are dropped (it ended)."""

    def __init__(self, key: tuple[str, str], client: Client) -> None:
        self.key = key
        self.client = client

    def __del__(self) -> None:
        with _idle_lock:
            _idle.setdefault(self.key, []).append(self.client)


def thread_client() -> Client:
    """The calling thread's client (the default of `providers.telemetry`)."""
    from workers.storage.clickhouse import StorageSettings, open_client

    settings = StorageSettings.from_env()
    key = (settings.url, settings.database)
    lease: _Lease | None = getattr(_local, "lease", None)
    if lease is not None and lease.key == key:
        return lease.client
    with _idle_lock:
        idle = _idle.get(key)
        client = idle.pop() if idle else None
    _local.lease = _Lease(key, client if client is not None else open_client(settings))
    return _local.lease.client


def telemetry_client() -> Client:
    """The client of `providers.telemetry`; failing to open one is StorageUnavailable."""
    from webapp.api.providers import providers

    try:
        return providers.telemetry()
    except (ClickHouseError, OSError, RuntimeError) as exc:
        raise StorageUnavailable(f"cannot reach ClickHouse: {type(exc).__name__}: {exc}") from exc


def run_query(sql: str, parameters: dict[str, Any], settings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of one parameterised SELECT; user input only ever travels in `parameters`."""
    client = telemetry_client()
    with read_errors():
        return client.query(sql, parameters=parameters, settings={**read_limits(), **(settings or {})}).result_rows
    raise AssertionError("unreachable")  # read_errors re-raises every failure


@contextmanager
def read_errors() -> Iterator[None]:
    """Failed reads as API errors: a read limit is a 422 naming its setting, anything else a 503."""
    try:
        yield
    except ClickHouseError as exc:
        setting = _LIMIT_SETTINGS.get(getattr(exc, "code", None) or 0)
        if setting:
            raise ReadLimitExceeded(f"the read exceeded the limit set by {setting}: {_first_line(str(exc))}") from exc
        raise StorageUnavailable(f"the telemetry query failed: {_first_line(str(exc))}") from exc


def read_limits() -> dict[str, Any]:
    from django.conf import settings

    return {
        "max_execution_time": settings.QUERY_MAX_EXECUTION_SECONDS,
        "max_memory_usage": settings.QUERY_MAX_MEMORY_BYTES,
    }


class _ApiReader:
    """Trace reads (workers/storage/traces) through `run_query`: read limits, API errors."""

    @property
    def database(self) -> str:
        return telemetry_client().database or ""

    def rows(
        self, sql: str, parameters: dict[str, Any], settings: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        return run_query(sql, parameters, settings)


def telemetry_reader() -> RowReader:
    return _API_READER


_API_READER = _ApiReader()


def run_command(sql: str, parameters: dict[str, Any]) -> None:
    client = telemetry_client()
    try:
        client.command(sql, parameters=parameters)
    except ClickHouseError as exc:
        raise StorageUnavailable(f"the telemetry write failed: {_first_line(str(exc))}") from exc


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if "DB::Exception" in line or line.startswith("Code:"):
            return line.split("Stack trace", 1)[0].strip()
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
