"""The row contract of the `costs` table (migration 0010_costs), as an Arrow schema.

Token counts a span did not report are stored as 0 (a costs row exists only for spans with usage,
so this loses nothing for pricing); `input_cost_micros` includes `cache_cost_micros` and
`output_cost_micros` includes reasoning, so `total = input + output`.
"""

from __future__ import annotations

import pyarrow as pa

from workers.telemetry.columns import MAP_STR, STR, TS_NS, Column

LOW_STR = pa.dictionary(pa.int32(), pa.string())  # few distinct values per batch: built without per-row strings

COST_COLUMNS: tuple[Column, ...] = (
    Column("project", STR),
    Column("start_time", TS_NS),
    Column("trace_id", STR),
    Column("span_id", STR),
    Column("model_id", STR),
    Column("provider", STR),
    Column("input_hash", STR),
    Column("input_tokens", pa.uint32()),
    Column("output_tokens", pa.uint32()),
    Column("cache_read_tokens", pa.uint32()),
    Column("cache_creation_tokens", pa.uint32()),
    Column("reasoning_tokens", pa.uint32()),
    Column("input_cost_micros", pa.uint64()),
    Column("cache_cost_micros", pa.uint64()),
    Column("output_cost_micros", pa.uint64()),
    Column("total_cost_micros", pa.uint64()),
    Column("priced", pa.uint8()),
    Column("unpriced_reason", LOW_STR),
    Column("price_id", LOW_STR),
    Column("price_version", LOW_STR),
    Column("user_id", STR),
    Column("feature_id", STR),
    Column("team", STR),
    Column("environment", STR),
    Column("dimensions", MAP_STR),
    Column("version", pa.uint64()),
)

COST_SCHEMA = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in COST_COLUMNS])
TOKEN_COLUMNS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "reasoning_tokens")
MICROS_COLUMNS = ("input_cost_micros", "cache_cost_micros", "output_cost_micros", "total_cost_micros")
