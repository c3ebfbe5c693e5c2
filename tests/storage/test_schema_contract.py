"""The tables match the row contract in workers.telemetry.columns, and retention is applied."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client

from tests.storage.spans import span_row, span_table
from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings
from workers.storage.tables import TABLES, TableSpec
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.columns import SIGNALS


def clickhouse_type(arrow_type: pa.DataType) -> str:
    """The ClickHouse type an Arrow contract type is stored as (LowCardinality aside)."""
    if pa.types.is_timestamp(arrow_type):
        assert arrow_type.unit == "ns" and arrow_type.tz == "UTC"
        return "DateTime64(9, 'UTC')"
    if pa.types.is_map(arrow_type):
        return f"Map({clickhouse_type(arrow_type.key_type)}, {clickhouse_type(arrow_type.item_type)})"
    if pa.types.is_list(arrow_type):
        return f"Array({clickhouse_type(arrow_type.value_type)})"
    if pa.types.is_struct(arrow_type):
        fields = ", ".join(f"{f.name} {clickhouse_type(f.type)}" for f in arrow_type)
        return f"Tuple({fields})"
    if pa.types.is_decimal(arrow_type):
        return f"Decimal({arrow_type.precision}, {arrow_type.scale})"
    simple = {
        pa.string(): "String",
        pa.bool_(): "Bool",
        pa.uint8(): "UInt8",
        pa.uint16(): "UInt16",
        pa.uint32(): "UInt32",
        pa.uint64(): "UInt64",
        pa.int32(): "Int32",
        pa.int64(): "Int64",
        pa.float64(): "Float64",
    }
    return simple[arrow_type]


def without_low_cardinality(type_name: str) -> str:
    while "LowCardinality(" in type_name:
        type_name = re.sub(r"LowCardinality\(([^()]*(?:\([^()]*\))?[^()]*)\)", r"\1", type_name)
    return re.sub(r"\s+", " ", type_name).replace("( ", "(").replace(" )", ")")


def table_columns(client: Client, table: str, derived: bool = True) -> list[tuple[str, str]]:
    """(name, type) in table order; `derived=False` leaves out the columns the table computes itself
    from other columns (a DEFAULT expression naming one, e.g. spans.response_id): writers never send them."""
    rows = client.query(
        "SELECT name, type, default_kind, default_expression FROM system.columns"
        " WHERE database = currentDatabase() AND table = {t:String} ORDER BY position",
        parameters={"t": table},
    ).result_rows
    names = {r[0] for r in rows}
    computed = {r[0] for r in rows if r[2] == "DEFAULT" and set(re.findall(r"\w+", r[3])) & names}
    return [(name, type_name) for name, type_name, *_ in rows if derived or name not in computed]


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_table_columns_match_the_contract(ch_migrated: Client, signal: str) -> None:
    table, schema = SIGNALS[signal]
    assert table in TABLES
    columns = table_columns(ch_migrated, table, derived=False)
    assert [name for name, _ in columns] == [*schema.names, "_ingested_at"]
    for field in schema:
        expected = clickhouse_type(field.type)
        if field.nullable:
            expected = f"Nullable({expected})"
        actual = without_low_cardinality(dict(columns)[field.name])
        assert actual == expected, field.name
    assert dict(columns)["_ingested_at"] == "DateTime64(3)"


def contract_rows(schema: pa.Schema, rows: int) -> pa.Table:
    """Rows with a distinct, non-default value in every column, built from the schema alone."""
    now = time.time_ns()

    def value(t: pa.DataType, i: int, nullable: bool) -> object:
        if nullable and i % 3 == 2:
            return None
        if pa.types.is_timestamp(t):
            return now - (rows - i) * 1_000_000
        if pa.types.is_string(t):
            return f"v{i}"
        if pa.types.is_boolean(t):
            return i % 2 == 0
        if pa.types.is_integer(t):
            return i + 1
        if pa.types.is_floating(t):
            return i + 0.5
        if pa.types.is_decimal(t):
            return Decimal(i + 1) / 10**t.scale  # the smallest steps: exact, not rounded
        if pa.types.is_map(t):
            return [(value(t.key_type, i, False), value(t.item_type, i, False))]
        if pa.types.is_list(t):
            return [value(t.value_type, i, False)]
        if pa.types.is_struct(t):
            return {f.name: value(f.type, i, False) for f in t}
        raise AssertionError(f"no sample value for {t}")

    return pa.Table.from_pylist(
        [{f.name: value(f.type, i, f.nullable) for f in schema} for i in range(rows)], schema=schema
    )


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_contract_batches_insert_and_read_back(ch_migrated: Client, signal: str) -> None:
    table, schema = SIGNALS[signal]
    data = contract_rows(schema, 30)
    ClickHouseWriter(ch_migrated).write(table, data)
    columns = ", ".join(f"`{n}`" for n in schema.names)
    # Timestamps read back as ns integers: the client's datetimes stop at microseconds.
    read = ch_migrated.query_arrow(f"SELECT {columns} FROM {table} ORDER BY source_offset")
    assert read.num_rows == 30
    for field in schema:
        got = read.column(field.name).to_pylist()
        want = data.column(field.name).to_pylist()
        if pa.types.is_map(field.type):
            want = [list(m) if m is not None else m for m in want]
            got = [list(m) if m is not None else m for m in got]
        assert got == want, field.name


@pytest.mark.parametrize("spec", [s for s in TABLES.values() if s.ttl_column], ids=lambda s: s.name)
def test_ttl_uses_the_configured_retention(ch_client: Client, chdb_dir: Path, spec: TableSpec) -> None:
    settings = StorageSettings(f"chdb://{chdb_dir}", str(ch_client.database), retention_days=7)
    migrate.apply(ch_client, settings)
    ddl = str(ch_client.command(f"SHOW CREATE TABLE {spec.name}")).replace("\\n", "\n")
    assert re.search(rf"TTL .*\b{spec.ttl_column}\b.*toIntervalDay\(7\)", ddl), ddl


def test_expired_spans_are_not_kept(ch_migrated: Client) -> None:
    old = time.time_ns() - 40 * 86_400 * 1_000_000_000  # beyond the 30-day retention
    fresh = span_row(trace_id="f" * 32, span_id="1" * 16)
    ClickHouseWriter(ch_migrated).write("spans", span_table([span_row(start_time=old), fresh]))
    ch_migrated.command("OPTIMIZE TABLE spans FINAL")
    assert ch_migrated.query("SELECT trace_id FROM spans").result_rows == [("f" * 32,)]
