"""Arrow arrays built once per batch from flat Python lists.

Map and list columns are stored while normalising as one flat list of entries plus a count per
row; here the counts become offsets and the whole column is made by a few C-level calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from workers.telemetry.columns import MAP_STR, STR


def scalar_array(values: Sequence[object], type_: pa.DataType) -> pa.Array:
    """Array of a scalar column; a column with one value throughout (project, service, empty
    model fields...) is repeated in C instead of converted item by item."""
    n = len(values)
    if n > 1 and values[0] == values[-1] and values.count(values[0]) == n:
        return pa.repeat(pa.scalar(values[0], type_), n)
    return pa.array(values, type_)


def offsets(counts: Sequence[int]) -> pa.Array:
    out = np.zeros(len(counts) + 1, dtype=np.int32)
    if len(counts):
        np.cumsum(np.asarray(counts, dtype=np.int64), out=out[1:], dtype=np.int32)
    return pa.array(out)


def map_array(counts: Sequence[int], keys: list[str], values: list[str]) -> pa.Array:
    return pa.MapArray.from_arrays(offsets(counts), pa.array(keys, STR), pa.array(values, STR), type=MAP_STR)


def shared_map_array(row_owner: Sequence[int], owners: Sequence[tuple[list[str], list[str]]]) -> pa.Array:
    """A map column whose rows repeat a few maps (resources): rows name their map by index."""
    lengths = np.fromiter((len(k) for k, _ in owners), dtype=np.int64, count=len(owners))
    starts = np.zeros(len(owners), dtype=np.int64)
    if len(owners):
        np.cumsum(lengths[:-1], out=starts[1:])
    owner = np.asarray(row_owner, dtype=np.int64)
    row_len = lengths[owner] if len(owner) else np.zeros(0, dtype=np.int64)
    row_offsets = np.zeros(len(owner) + 1, dtype=np.int64)
    np.cumsum(row_len, out=row_offsets[1:])
    # position of each entry inside the concatenated owner maps
    take = np.arange(row_offsets[-1], dtype=np.int64) + np.repeat(starts[owner] - row_offsets[:-1], row_len)
    all_keys = pa.array([k for ks, _ in owners for k in ks], STR)
    all_values = pa.array([v for _, vs in owners for v in vs], STR)
    return pa.MapArray.from_arrays(
        pa.array(row_offsets.astype(np.int32)), all_keys.take(take), all_values.take(take), type=MAP_STR
    )


def list_array(counts: Sequence[int], values: pa.Array, list_type: pa.DataType) -> pa.Array:
    return pa.ListArray.from_arrays(offsets(counts), values, type=list_type)

