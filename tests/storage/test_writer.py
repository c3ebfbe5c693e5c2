"""ClickHouseWriter: Arrow batches in, clear errors out."""

from __future__ import annotations

import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client

from tests.storage.spans import span_row, span_table
from workers.storage.writer import ClickHouseWriter, StorageWriteError


def test_writes_a_span_batch(ch_migrated: Client) -> None:
    rows = [span_row(trace_id=f"{i:032x}", span_id=f"{i:016x}", input_tokens=i) for i in range(1, 501)]
    ClickHouseWriter(ch_migrated).write("spans", span_table(rows))
    assert ch_migrated.query("SELECT count(), sum(input_tokens) FROM spans").result_rows == [(500, 500 * 501 // 2)]


def test_empty_batch_is_a_no_op(ch_migrated: Client) -> None:
    ClickHouseWriter(ch_migrated).write("spans", span_table([]))
    assert ch_migrated.command("SELECT count() FROM spans") == 0


def test_missing_table_is_named_in_the_error(ch_migrated: Client) -> None:
    with pytest.raises(StorageWriteError, match=r"3 rows into ClickHouse table 'spanz'") as caught:
        ClickHouseWriter(ch_migrated).write("spanz", span_table([span_row(), span_row(), span_row()]))
    assert caught.value.table == "spanz"
    assert caught.value.rows == 3


def test_unknown_column_is_named_in_the_error(ch_migrated: Client) -> None:
    data = span_table([span_row()]).append_column("colour", pa.array(["red"]))
    with pytest.raises(StorageWriteError, match=r"'spans'.*colour"):
        ClickHouseWriter(ch_migrated).write("spans", data)
    assert ch_migrated.command("SELECT count() FROM spans") == 0
