"""Builds span batches for storage tests: rows with every SPAN_SCHEMA column, sensible defaults."""

from __future__ import annotations

import time
from typing import Any

import pyarrow as pa

from workers.telemetry.columns import SPAN_COLUMNS, SPAN_SCHEMA


def _default(column_type: pa.DataType, nullable: bool) -> Any:
    if nullable:
        return None
    if pa.types.is_string(column_type):
        return ""
    if pa.types.is_map(column_type) or pa.types.is_list(column_type):
        return []
    return 0


DEFAULTS: dict[str, Any] = {c.name: _default(c.type, c.nullable) for c in SPAN_COLUMNS}


def span_row(**values: Any) -> dict[str, Any]:
    """A span row: the given values over the defaults, times ending in the past minute."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"not span columns: {sorted(unknown)}")
    row = dict(DEFAULTS) | {"project": "demo", "kind": "internal", "status_code": "unset"}
    now = time.time_ns()
    row["start_time"] = now - 60_000_000_000
    row["source_partition"] = -1
    row["source_offset"] = -1
    row |= values
    if "end_time" not in values:
        row["end_time"] = row["start_time"] + 1_000_000
    row["duration_ns"] = row["end_time"] - row["start_time"]
    return row


def span_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SPAN_SCHEMA)
