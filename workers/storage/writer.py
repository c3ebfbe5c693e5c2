"""Columnar writes into ClickHouse: one Arrow table per insert.

Used by the ingest loop (a `BatchWriter` in its terms); batches of thousands of rows, never row by row.
"""

from __future__ import annotations

import pyarrow as pa
from clickhouse_connect.driver.client import Client

# Collapsing duplicates inside each inserted block costs about a third of span insert speed
# (loadtests/bench_compression.py); merges and FINAL reads collapse them anyway.
_INSERT_SETTINGS = {"optimize_on_insert": 0}


class StorageWriteError(RuntimeError):
    """An insert failed; the message names the table and the batch size."""

    def __init__(self, table: str, rows: int, cause: Exception) -> None:
        super().__init__(f"insert of {rows} rows into ClickHouse table {table!r} failed: {cause}")
        self.table = table
        self.rows = rows


class ClickHouseWriter:
    def __init__(self, client: Client) -> None:
        self._client = client

    def write(self, table: str, data: pa.Table) -> None:
        """Insert `data` into `table`; the columns are matched by name."""
        if data.num_rows == 0:
            return
        try:
            self._client.insert_arrow(table, data, settings=_INSERT_SETTINGS)
        except Exception as exc:
            raise StorageWriteError(table, data.num_rows, exc) from exc
