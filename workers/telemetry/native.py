"""The compiled span decoder (`pyflare_native`, built from native/) and its buffers -> Arrow.

The decoder reads OTLP trace requests straight from their protobuf bytes into column buffers, about
ten times faster than the Python normaliser. It takes the spans whose every value it can render
exactly as the Python path does and hands back the rest (messages, indexed prompts, embeddings,
GenAI events, composite values...) by their position; `TraceBatch` normalises those in Python. The
Python normaliser stays the reference: the tests compare both on the same requests.

`PYFLARE_NATIVE=0` turns the decoder off (everything goes through Python).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from workers.env import env_str
from workers.telemetry.columns import EVENT, LINK, MAP_STR, SPAN_SCHEMA, STR, TS_NS
from workers.telemetry.options import NormaliseOptions

try:
    import pyflare_native
except ImportError:  # a checkout whose native/ crate is not built: the Python path does everything
    pyflare_native = None
if pyflare_native is not None and not hasattr(pyflare_native.SpanColumns, "set_time_bounds"):
    pyflare_native = None  # a build older than the storable-time checks: it would accept what Python refuses

_FIXED = {TS_NS, pa.uint64(), pa.uint16(), pa.int32(), pa.int64()}
_NULLABLE = {pa.uint32(), pa.float64()}


def available() -> bool:
    return pyflare_native is not None


def enabled(environ: dict[str, str] | None = None) -> bool:
    return available() and env_str("PYFLARE_NATIVE", "1", environ).strip().lower() not in {"0", "false", "no", "off"}


def span_columns(options: NormaliseOptions) -> Any | None:
    """A fresh decoder for one batch, or None when it is off or not built."""
    if not enabled():
        return None
    return pyflare_native.SpanColumns(options.preview_chars, options.default_project)


def spans_table(buffers: dict[str, Any]) -> pa.Table:
    """The decoder's `finish()` buffers as a table of SPAN_SCHEMA (cost_usd all null: priced later)."""
    rows = len(buffers["span_id"][0]) // 4 - 1
    arrays = []
    for field in SPAN_SCHEMA:
        if field.name == "cost_usd":
            arrays.append(pa.nulls(rows, field.type))
        else:
            arrays.append(_array(field.name, field.type, buffers[field.name], rows))
    return pa.Table.from_arrays(arrays, schema=SPAN_SCHEMA)


def _array(name: str, type_: pa.DataType, raw: Any, rows: int) -> pa.Array:
    if type_ == STR:
        return _strings(raw)
    if type_ in _FIXED:
        return pa.Array.from_buffers(type_, rows, [None, pa.py_buffer(raw)])
    if type_ in _NULLABLE:
        validity, values = raw
        return pa.Array.from_buffers(type_, rows, [pa.py_buffer(validity), pa.py_buffer(values)])
    if type_ == MAP_STR:
        return _map(raw)
    if name == "finish_reasons":
        offsets, items = raw
        return pa.ListArray.from_arrays(_offsets(offsets), _strings(items), type=type_)
    if name == "events":
        offsets, times, names, attributes = raw
        items = pa.StructArray.from_arrays(
            [pa.Array.from_buffers(TS_NS, len(times) // 8, [None, pa.py_buffer(times)]), _strings(names),
             _map(attributes)],
            fields=list(EVENT),
        )
        return pa.ListArray.from_arrays(_offsets(offsets), items, type=type_)
    if name == "links":
        offsets, trace_ids, span_ids, states, attributes = raw
        items = pa.StructArray.from_arrays(
            [_strings(trace_ids), _strings(span_ids), _strings(states), _map(attributes)], fields=list(LINK)
        )
        return pa.ListArray.from_arrays(_offsets(offsets), items, type=type_)
    raise TypeError(f"no native buffers for column {name} of type {type_}")


def _offsets(raw: bytes) -> pa.Array:
    return pa.Array.from_buffers(pa.int32(), len(raw) // 4, [None, pa.py_buffer(raw)])


def _strings(raw: tuple[bytes, bytes]) -> pa.Array:
    offsets, data = raw
    return pa.Array.from_buffers(STR, len(offsets) // 4 - 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _map(raw: tuple[bytes, tuple[bytes, bytes], tuple[bytes, bytes]]) -> pa.Array:
    offsets, keys, values = raw
    return pa.MapArray.from_arrays(_offsets(offsets), _strings(keys), _strings(values), type=MAP_STR)
