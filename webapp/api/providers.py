"""The services the API reaches outside the process, one provider each, overridable for tests.

- `providers.telemetry()`: the ClickHouse client of the telemetry reads and writes (traces, metrics,
  logs, feedback, costs, alerting, drift, project purges); by default one per thread
  (webapp.api.telemetry). Callers go through `webapp.api.telemetry.telemetry_client()`, which turns a
  failure to connect into StorageUnavailable.
- `providers.query_engine()`: the engine of `/api/v1/query` (webapp.query.engine); by default one
  engine that opens a client per query.
- `providers.vector_store()`: the drift reference vectors' store (Qdrant, or the embedded one), as
  configured by the environment (workers.storage.vectors).

Tests swap one for the duration of a block, process-wide (the live server's request threads see it
too):

    with providers.telemetry.override(lambda: client):
        ...

The defaults are imported when first used, so this module imports nothing of the apps it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client

    from webapp.query.engine import QueryEngine
    from workers.storage.vectors import VectorStore

T = TypeVar("T")


class Provider(Generic[T]):
    """One service: `provider()` gives the current instance, `override(getter)` replaces it in a block."""

    def __init__(self, name: str, default: Callable[[], T]) -> None:
        self.name = name
        self._default = default
        self._override: Callable[[], T] | None = None

    def __call__(self) -> T:
        getter = self._override if self._override is not None else self._default
        return getter()

    @contextmanager
    def override(self, getter: Callable[[], T]) -> Iterator[None]:
        """Serve `getter()` until the block ends, then whatever was served before (overrides nest)."""
        previous, self._override = self._override, getter
        try:
            yield
        finally:
            self._override = previous


def _default_telemetry() -> Client:
    from webapp.api.telemetry import thread_client

    return thread_client()


def _default_query_engine() -> QueryEngine:
    from webapp.query.engine import default_engine

    return default_engine()


def _default_vector_store() -> VectorStore:
    from workers.storage.vectors import vector_store_from_env

    return vector_store_from_env()


class Providers:
    def __init__(self) -> None:
        self.telemetry: Provider[Client] = Provider("telemetry", _default_telemetry)
        self.query_engine: Provider[QueryEngine] = Provider("query_engine", _default_query_engine)
        self.vector_store: Provider[VectorStore] = Provider("vector_store", _default_vector_store)


providers = Providers()
