"""The ClickHouse client of the cost endpoints (the telemetry endpoints' client), with storage
failures answered as 503 like every other telemetry read."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from webapp.api.telemetry import StorageUnavailable, telemetry_client

T = TypeVar("T")


def read(query: Callable[[Client], T]) -> T:
    """Run `query(client)`; a ClickHouse failure becomes a 503 naming the first line of the error."""
    client = telemetry_client()
    try:
        return query(client)
    except ClickHouseError as exc:
        first = next((line for line in str(exc).splitlines() if line.strip()), "unknown error")
        raise StorageUnavailable(f"the cost query failed: {first.split('Stack trace', 1)[0][:300]}") from exc
