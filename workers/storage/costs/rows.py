"""The row contract of the `costs` table (migration 0010_costs), as an Arrow schema.

Token counts a span did not report are stored as 0 (a costs row exists only for spans with usage,
so this loses nothing for pricing); `input_cost_usd` includes `cache_cost_usd` and `output_cost_usd`
includes reasoning, so `total = input + output`. Costs are exact dollars, Decimal(38, 12) (0021).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workers.telemetry.columns import MAP_STR, STR, TS_NS, Column

USD = pa.decimal128(38, 12)  # exact dollars: pico-dollars as the unscaled integer
LOW_STR = pa.dictionary(pa.int32(), pa.string())  # few distinct values per batch: built without per-row strings

COST_COLUMNS: tuple[Column, ...] = (
    Column("project", STR),
    Column("start_time", TS_NS),
    Column("trace_id", STR),
    Column("span_id", STR),
    Column("model_id", STR),
    Column("model_family", LOW_STR),  # gpt-4o-mini for gpt-4o-mini-2024-07-18 (migration 0022)
    Column("provider", STR),
    Column("input_hash", STR),
    Column("response_id", STR),  # gen_ai.response.id: spans of one provider call count once (0023)
    Column("input_tokens", pa.uint32()),
    Column("output_tokens", pa.uint32()),
    Column("cache_read_tokens", pa.uint32()),
    Column("cache_creation_tokens", pa.uint32()),
    Column("reasoning_tokens", pa.uint32()),
    Column("input_cost_usd", USD),
    Column("cache_cost_usd", USD),
    Column("output_cost_usd", USD),
    Column("total_cost_usd", USD),
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
USD_COLUMNS = ("input_cost_usd", "cache_cost_usd", "output_cost_usd", "total_cost_usd")


def usd_array(pico: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Exact Decimal(38, 12) dollars from int64 pico-dollars, without a Python object per value."""
    v = np.ascontiguousarray(pico, dtype=np.int64)
    words = np.empty((len(v), 2), dtype=np.int64)
    words[:, 0] = v
    words[:, 1] = v >> 63  # sign extension into the high word (little-endian 128-bit)
    out = pa.Array.from_buffers(USD, len(v), [None, pa.py_buffer(words.tobytes())])
    if valid is not None and not valid.all():
        out = pc.if_else(pa.array(valid), out, pa.scalar(None, USD))
    return out


def pico_of(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """int64 pico-dollars of a Decimal(38, 12) column (nulls as 0)."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    array = pc.fill_null(array.cast(USD), pa.scalar(0, USD)) if array.null_count else array.cast(USD)
    words = np.frombuffer(array.buffers()[1], dtype=np.int64)[2 * array.offset: 2 * (array.offset + len(array))]
    return words[0::2].copy()
