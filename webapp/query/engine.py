"""Running a validated query on ClickHouse with server-side limits, and shaping its result.

The engine is injectable (`use_engine`) so `pyflare serve` and tests can hand in the process's
client; by default it connects with workers.storage.clickhouse from the PYFLARE_CLICKHOUSE_* env.
Queries run with readonly=2 (no writes even if a check were missed), max_execution_time and
max_result_rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID


class QueryFailed(Exception):
    """ClickHouse refused or aborted the query (unknown column, timeout, too many rows, ...)."""


class QueryEngineUnavailable(Exception):
    """No ClickHouse connection could be made."""


@dataclass(frozen=True)
class QueryLimits:
    max_rows: int
    max_execution_seconds: float


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]  # (name, ClickHouse type)
    rows: list[list[Any]]
    elapsed_ms: float


class QueryEngine(Protocol):
    def execute(self, sql: str, limits: QueryLimits) -> QueryResult: ...


def limit_settings(limits: QueryLimits) -> dict[str, Any]:
    return {
        "readonly": 2,
        "max_execution_time": limits.max_execution_seconds,
        "max_result_rows": limits.max_rows,
        "result_overflow_mode": "throw",
    }


class ClickHouseQueryEngine:
    """Executes on a clickhouse-connect client obtained from `client_getter` (cached once made)."""

    def __init__(self, client_getter: Callable[[], Any]) -> None:
        self._client_getter = client_getter
        self._client: Any = None
        self._lock = threading.Lock()

    def _connected(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    self._client = self._client_getter()
                except Exception as exc:
                    raise QueryEngineUnavailable(f"cannot reach ClickHouse: {type(exc).__name__}: {exc}") from exc
            return self._client

    def execute(self, sql: str, limits: QueryLimits) -> QueryResult:
        from clickhouse_connect.driver.exceptions import ClickHouseError

        client = self._connected()
        started = time.perf_counter()
        try:
            result = client.query(sql, settings=limit_settings(limits))
        except ClickHouseError as exc:
            raise QueryFailed(clickhouse_message(exc)) from exc
        elapsed = (time.perf_counter() - started) * 1000
        columns = [(name, kind.name) for name, kind in zip(result.column_names, result.column_types, strict=True)]
        return QueryResult(columns, [list(row) for row in result.result_rows], round(elapsed, 3))


def clickhouse_message(exc: Exception) -> str:
    """The useful first line of a ClickHouse error, without the stack trace."""
    text = str(exc).strip()
    for line in text.splitlines():
        if "DB::Exception" in line or line.startswith("Code:"):
            return line.split("Stack trace", 1)[0].strip()
    return text.splitlines()[0] if text else type(exc).__name__


def jsonable(value: Any) -> Any:
    """A ClickHouse value as JSON: exact where JSON allows, text otherwise (NaN, Decimal, bytes)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return str(value)


_factory: Callable[[], QueryEngine] | None = None
_default: QueryEngine | None = None
_default_lock = threading.Lock()


def use_engine(factory: Callable[[], QueryEngine] | None) -> None:
    """Make `/api/v1/query` use this engine factory (None restores the default)."""
    global _factory
    _factory = factory


def current_engine() -> QueryEngine:
    if _factory is not None:
        return _factory()
    global _default
    with _default_lock:
        if _default is None:
            _default = ClickHouseQueryEngine(_connect_from_env)
        return _default


def _connect_from_env() -> Any:
    from workers.storage.clickhouse import StorageSettings, connect

    return connect(StorageSettings.from_env())
