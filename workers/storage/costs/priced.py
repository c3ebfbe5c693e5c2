"""Arrow glue between usage rows and the pure pricer: one call prices a batch into `costs` rows.

Used on the ingest path (rows filtered from a spans batch, custom dimensions read from the span
attributes) and by `pyflare reprice` (rows read back from `costs`, dimensions kept as stored).
(model, provider) pairs are dictionary-encoded so names are resolved once per distinct pair; each
project is priced with its own PriceBook (the packaged table plus the project's overrides).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workers.analysis.cost import PRICED, UNPRICED, PriceBook, price_encoded
from workers.storage.costs.rows import COST_SCHEMA, TOKEN_COLUMNS, usd_array

BookFor = Callable[[str], PriceBook]
_TEXT_COLUMNS = ("project", "trace_id", "span_id", "model_id", "provider", "input_hash", "user_id", "feature_id",
                 "team", "environment")  # fmt: skip


@dataclass
class PricedBatch:
    """The priced rows of one batch, aligned with the input rows."""

    costs: pa.Table  # COST_SCHEMA
    total_pico: np.ndarray  # int64 exact cost per input row, 0 where not priced
    status: np.ndarray  # PRICED / UNPRICED per input row (rows without usage never get here)
    unpriced: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (project, model, provider) -> why
    unpriced_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)  # same keys -> spans

    def count(self, status: int) -> int:
        return int(np.count_nonzero(self.status == status))


def _encode_pairs(models: pa.Array, providers: pa.Array) -> tuple[np.ndarray, list[tuple[str, str | None]]]:
    """Codes into the distinct (model, provider) pairs of the batch (each column encoded on its own)."""
    m, p = models.dictionary_encode(), providers.dictionary_encode()
    width = max(1, len(p.dictionary))
    pair = m.indices.to_numpy(zero_copy_only=False).astype(np.int64) * width + p.indices.to_numpy(
        zero_copy_only=False)  # fmt: skip
    distinct, codes = np.unique(pair, return_inverse=True)
    model_names, provider_names = m.dictionary.to_pylist(), p.dictionary.to_pylist()
    keys = [(model_names[k // width], provider_names[k % width] or None) for k in distinct.tolist()]
    return codes.astype(np.int64, copy=False), keys


def _text(values: dict[str, int], text: str) -> int:
    """Index of `text` among the distinct values (insertion order), adding it when new."""
    return values.setdefault(text, len(values))


def _dimensions(rows: pa.Table, keys: Sequence[str]) -> pa.Array:
    """Map of the configured attribute keys a row carries (from `dimensions` if already there)."""
    n = rows.num_rows
    if "dimensions" in rows.column_names:
        return rows["dimensions"].combine_chunks()
    if not keys or "attributes" not in rows.column_names:
        return pa.MapArray.from_arrays(np.zeros(n + 1, dtype=np.int32), pa.array([], pa.string()),
                                       pa.array([], pa.string()))  # fmt: skip
    attributes = rows["attributes"].combine_chunks()
    values = [pc.map_lookup(attributes, key, "first") for key in keys]
    present = np.column_stack([v.is_valid().to_numpy(zero_copy_only=False) for v in values])  # n x k
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    order = np.flatnonzero(present.ravel())  # row-major: row i's keys in configured order
    flat_values = pa.concat_arrays([v.cast(pa.string()) for v in values])  # k x n, column-major
    row, col = np.divmod(order, len(keys))
    items = flat_values.take(pa.array(col * n + row))
    names = pa.array(list(keys), pa.string()).take(pa.array(col))
    return pa.MapArray.from_arrays(pa.array(offsets), names, items)


RESPONSE_ID_ATTRIBUTE = "gen_ai.response.id"


def _response_ids(rows: pa.Table) -> pa.Array:
    """As stored (re-pricing), else the span attribute; '' when the span has none. Read from the
    flattened map (one string comparison per attribute entry): `map_lookup` costs ~10x more."""
    n = rows.num_rows
    if "response_id" in rows.column_names:
        return rows["response_id"].combine_chunks()
    if "attributes" not in rows.column_names:
        return pa.array([""] * n, pa.string())
    attributes = rows["attributes"].combine_chunks()
    offsets = attributes.offsets.to_numpy(zero_copy_only=False)  # into the unsliced keys/items
    hits = np.flatnonzero(pc.equal(attributes.keys, RESPONSE_ID_ATTRIBUTE).to_numpy(zero_copy_only=False))
    hits = hits[(hits >= offsets[0]) & (hits < offsets[-1])]
    if not len(hits):
        return pa.array(np.full(n, "", dtype=object), pa.string())
    owner = np.searchsorted(offsets, hits, side="right") - 1  # the span of each hit
    first = np.unique(owner, return_index=True)[1]  # a key twice in one map: the first, as map_lookup
    found = attributes.items.take(pa.array(hits[first])).cast(pa.string())
    pick = np.full(n, -1, dtype=np.int64)
    pick[owner[first]] = np.arange(len(first))
    return pc.fill_null(found.take(pa.array(pick, mask=pick < 0)), "")


def _tokens(rows: pa.Table, name: str) -> tuple[np.ndarray | None, pa.Array]:
    """(values for the pricer with NaN for null, stored UInt32 values with 0 for null)."""
    if name not in rows.column_names:
        return None, pa.array(np.zeros(rows.num_rows, dtype=np.uint32))
    col = rows[name].combine_chunks()
    stored = pc.fill_null(col, 0).cast(pa.uint32())
    if col.null_count == 0:
        return stored.to_numpy(zero_copy_only=False), stored
    return col.to_numpy(zero_copy_only=False), stored


def price_usage(rows: pa.Table, book_for: BookFor, dimension_keys: Sequence[str], version: int) -> PricedBatch:
    """Price rows that carry token usage; `version` (ns) orders re-pricings of the same span."""
    n = rows.num_rows
    codes, keys = _encode_pairs(rows["model_id"].combine_chunks(), rows["provider"].combine_chunks())
    tokens = {name: _tokens(rows, name) for name in TOKEN_COLUMNS}
    at_ns = rows["start_time"].combine_chunks().cast(pa.int64()).to_numpy(zero_copy_only=False)
    projects = rows["project"].combine_chunks().dictionary_encode()
    project_codes = projects.indices.to_numpy(zero_copy_only=False)
    project_names = projects.dictionary.to_pylist()

    input_p, cache_p, output_p, total_p = (np.zeros(n, dtype=np.int64) for _ in range(4))
    status = np.zeros(n, dtype=np.uint8)
    # Per-row strings as indices into small lists of distinct values: dictionary-encoded columns.
    texts: dict[str, dict[str, int]] = {"price_id": {"": 0}, "price_version": {}, "unpriced_reason": {"": 0},
                                        "model_family": {"": 0}}  # fmt: skip
    picks = {name: np.zeros(n, dtype=np.int32) for name in texts}
    unpriced: dict[tuple[str, str, str], str] = {}
    unpriced_counts: dict[tuple[str, str, str], int] = {}
    books: dict[int, tuple[PriceBook, list[int]]] = {}  # one pricing call per distinct book
    for code, name in enumerate(project_names):
        book = book_for(name)
        books.setdefault(id(book), (book, []))[1].append(code)
    for book, members in books.values():
        idx = np.arange(n) if len(books) == 1 else np.flatnonzero(np.isin(project_codes, members))
        sub_codes = codes[idx]
        inp, out, cache_read, cache_write, reasoning = (t[0][idx] if t[0] is not None else None
                                                        for t in tokens.values())  # TOKEN_COLUMNS order
        batch = price_encoded(book, sub_codes, keys, inp, out, cache_read, cache_write, reasoning, at_ns[idx])
        input_p[idx] = batch.input_pico + batch.cache_pico
        cache_p[idx] = batch.cache_pico
        output_p[idx] = batch.output_pico
        total_p[idx] = batch.pico
        status[idx] = batch.status
        ids = np.array([_text(texts["price_id"], pid) for pid in batch.price_ids] + [0], dtype=np.int32)
        picks["price_id"][idx] = ids[batch.segment]  # segment -1 picks the trailing "" (index 0)
        picks["price_version"][idx] = _text(texts["price_version"], book.version)
        families = np.array([_text(texts["model_family"], book.resolve(m, p).family) for m, p in keys] + [0],
                            dtype=np.int32)  # fmt: skip
        picks["model_family"][idx] = families[sub_codes]
        off = np.flatnonzero(batch.status == UNPRICED)
        for k in np.unique(sub_codes[off]):
            model, provider = keys[int(k)]
            why = batch.unpriced.get((model, provider or ""), "")
            rows_k = off[sub_codes[off] == k]
            picks["unpriced_reason"][idx[rows_k]] = _text(texts["unpriced_reason"], why)
            in_projects = np.bincount(project_codes[idx[rows_k]], minlength=len(project_names))
            for p_code in np.flatnonzero(in_projects):
                key = (project_names[int(p_code)], model, provider or "")
                unpriced[key] = why
                unpriced_counts[key] = unpriced_counts.get(key, 0) + int(in_projects[p_code])

    priced = status == PRICED
    costs = pa.table(  # columns by name; the schema orders them
        {
            **{c: rows[c].combine_chunks().cast(pa.string()) for c in _TEXT_COLUMNS},
            "start_time": rows["start_time"].combine_chunks(),
            "response_id": _response_ids(rows),
            **{name: stored for name, (_, stored) in tokens.items()},
            "input_cost_usd": usd_array(input_p),
            "cache_cost_usd": usd_array(cache_p),
            "output_cost_usd": usd_array(output_p),
            "total_cost_usd": usd_array(total_p),
            "priced": priced.astype(np.uint8),
            **{name: pa.DictionaryArray.from_arrays(picks[name], pa.array(list(texts[name]), pa.string()))
               for name in ("unpriced_reason", "price_id", "price_version", "model_family")},
            "dimensions": _dimensions(rows, dimension_keys),
            "version": np.full(n, version, dtype=np.uint64),
        },
        schema=COST_SCHEMA,
    )
    return PricedBatch(costs, total_p, status, unpriced, unpriced_counts)
