"""Running a validated query on ClickHouse with per-query limits, streaming its result.

The engine comes from `providers.query_engine` (webapp/api/providers.py), which tests override; by default each running
query gets a client of its own (workers.storage.clickhouse.open_client), never the one ingest
writes with: in embedded mode a chdb client serialises its calls, and a 30-s user query on the
shared one held back every insert. Limits come from webapp.query.limits (readonly=2, time,
memory, result rows and bytes).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from webapp.query.limits import QueryLimitExceeded, QueryLimits

# The project filter must run before any expression of the user's. Pushed below it (into the
# filtered subquery's scan, PREWHERE, or a skip index's analysis, which evaluates the predicate on
# the values a `set` index holds), `WHERE throwIf(name = 'x') = 0` ran on other projects' rows and
# its error told whether they hold 'x'. The cost: the user's own predicates use no index beyond
# the project prefix of the sorting key.
ISOLATION_SETTINGS = {"query_plan_filter_push_down": 0, "optimize_move_to_prewhere": 0, "use_skip_indexes": 0}


class QueryFailed(Exception):
    """ClickHouse refused or aborted the query (unknown column, type error, ...)."""


class QueryEngineUnavailable(Exception):
    """No ClickHouse connection could be made."""


@dataclass
class QueryStream:
    """A running query: its columns, then its rows block by block (ClickHouse values)."""

    columns: list[tuple[str, str]]  # (name, ClickHouse type)
    blocks: Iterator[list[Any]]
    started: float = field(default_factory=time.perf_counter)

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 3)


class QueryEngine(Protocol):
    def stream(self, sql: str, limits: QueryLimits) -> Any:
        """A context manager yielding a QueryStream; leaving it cancels an unfinished query."""


class ClickHouseQueryEngine:
    """Runs each query on a client from `client_factory`, kept for reuse once the query is done."""

    def __init__(self, client_factory: Callable[[], Any]) -> None:
        self._factory = client_factory
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    @contextmanager
    def _client(self) -> Iterator[Any]:
        with self._lock:
            client = self._idle.pop() if self._idle else None
        if client is None:
            try:
                client = self._factory()
            except Exception as exc:
                raise QueryEngineUnavailable(f"cannot reach ClickHouse: {type(exc).__name__}: {exc}") from exc
        try:
            yield client
        finally:
            with self._lock:  # at most one idle client per query that ran at once (the slots bound it)
                self._idle.append(client)

    @contextmanager
    def stream(self, sql: str, limits: QueryLimits) -> Iterator[QueryStream]:
        from clickhouse_connect.driver.exceptions import ClickHouseError

        with self._client() as client:
            started = time.perf_counter()
            try:
                settings = {**ISOLATION_SETTINGS, **limits.clickhouse_settings()}
                with client.query_row_block_stream(sql, settings=settings) as blocks:
                    source = blocks.source
                    columns = [(n, t.name) for n, t in zip(source.column_names, source.column_types, strict=True)]
                    yield QueryStream(columns, _refused_as_domain_errors(blocks, limits), started)
            except ClickHouseError as exc:
                raise _domain_error(exc, limits) from exc


def _refused_as_domain_errors(blocks: Any, limits: QueryLimits) -> Iterator[list[Any]]:
    from clickhouse_connect.driver.exceptions import ClickHouseError

    try:
        yield from blocks
    except ClickHouseError as exc:  # a limit (or error) hit after the first block arrived
        raise _domain_error(exc, limits) from exc


def _domain_error(exc: Exception, limits: QueryLimits) -> Exception:
    if isinstance(exc, QueryLimitExceeded | QueryFailed):
        return exc
    message = clickhouse_message(exc)
    return limits.exceeded(getattr(exc, "code", None), message) or QueryFailed(message)


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


_default: QueryEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> QueryEngine:
    """The engine of `providers.query_engine` unless a test overrides it: one, opening a client per query."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ClickHouseQueryEngine(_connect_from_env)
        return _default


def _connect_from_env() -> Any:
    from workers.storage.clickhouse import StorageSettings, open_client

    return open_client(StorageSettings.from_env())
