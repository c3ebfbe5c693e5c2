"""How trace reads reach ClickHouse: a `RowReader` runs one parameterised SELECT.

The API passes one that applies its read limits and turns failures into API errors
(`webapp/api/telemetry.py`); jobs, tools and tests wrap a client in `ClientReader`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from clickhouse_connect.driver.client import Client

Row = tuple[Any, ...]


class RowReader(Protocol):
    @property
    def database(self) -> str:
        """The database read (caches are kept per database)."""

    def rows(self, sql: str, parameters: dict[str, Any], settings: dict[str, Any] | None = None) -> list[Row]:
        """Rows of one SELECT; user input only ever travels in `parameters`."""


@dataclass(frozen=True)
class ClientReader:
    client: Client
    settings: Mapping[str, Any] = field(default_factory=dict)  # e.g. read limits, for every statement

    @property
    def database(self) -> str:
        return self.client.database or ""

    def rows(self, sql: str, parameters: dict[str, Any], settings: dict[str, Any] | None = None) -> list[Row]:
        merged = {**self.settings, **(settings or {})}
        return list(self.client.query(sql, parameters=parameters, settings=merged).result_rows)
