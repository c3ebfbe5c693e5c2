"""The ClickHouse client the telemetry read endpoints (traces, metrics, logs, feedback) use.

One client per thread: chdb handles and HTTP sessions each serialise their calls, so concurrent
requests get their own. `use_telemetry_client` injects a client (tests, `pyflare serve`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError
from rest_framework import status
from rest_framework.exceptions import APIException

_injected: Callable[[], Client] | None = None
_local = threading.local()


class StorageUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "storage_unavailable"
    default_detail = "the telemetry store (ClickHouse) cannot be reached"


def use_telemetry_client(getter: Callable[[], Client] | None) -> None:
    """Serve the telemetry endpoints from `getter()` (None restores the per-thread default)."""
    global _injected
    _injected = getter


def _thread_client() -> Client:
    import clickhouse_connect

    from workers.storage.clickhouse import StorageSettings, connect

    settings = StorageSettings.from_env()
    key = (settings.url, settings.database)
    cached: tuple[tuple[str, str], Client] | None = getattr(_local, "client", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if settings.is_embedded:
        connect(settings)  # creates the database once, process-wide
        client = clickhouse_connect.get_client(dsn=f"chdb://{settings.chdb_path}")
        client.database = settings.database
    else:
        client = connect(settings)  # a new HTTP client (own session) for this thread
    _local.client = (key, client)
    return client


def telemetry_client() -> Client:
    try:
        return _injected() if _injected is not None else _thread_client()
    except (ClickHouseError, OSError, RuntimeError) as exc:
        raise StorageUnavailable(f"cannot reach ClickHouse: {type(exc).__name__}: {exc}") from exc


def run_query(sql: str, parameters: dict[str, Any], settings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of one parameterised SELECT; user input only ever travels in `parameters`."""
    client = telemetry_client()
    try:
        return client.query(sql, parameters=parameters, settings=settings or {}).result_rows
    except ClickHouseError as exc:
        raise StorageUnavailable(f"the telemetry query failed: {_first_line(str(exc))}") from exc


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
