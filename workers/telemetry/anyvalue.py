"""OTLP AnyValue -> text for the string maps, and -> plain Python for JSON.

Strings stay as they are, booleans become `true`/`false`, numbers their shortest form, bytes
base64 (as OTLP/JSON writes them), arrays and key-value lists compact JSON.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue


def _finite(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")  # OTLP/JSON spellings


def any_python(av: AnyValue) -> Any:
    """Plain Python value of an AnyValue, ready for `json.dumps`."""
    kind = av.WhichOneof("value")
    if kind == "string_value":
        return av.string_value
    if kind == "int_value":
        return av.int_value
    if kind == "double_value":
        return _finite(av.double_value)
    if kind == "bool_value":
        return av.bool_value
    if kind == "array_value":
        return [any_python(v) for v in av.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_python(kv.value) for kv in av.kvlist_value.values}
    if kind == "bytes_value":
        return base64.b64encode(av.bytes_value).decode("ascii")
    return None


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner without json.loads' Python layers (3x faster)


def from_json(text: str) -> Any:
    """Parse JSON text; ValueError when it is not exactly one value."""
    text = text.strip()  # returns the same object when there is nothing to strip
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        raise ValueError("not JSON") from None
    if end != len(text):
        raise ValueError("extra data after the JSON value")
    return value


def to_json(value: Any) -> str:
    return _ENCODER.encode(value)


def _array_text(av: AnyValue) -> str:
    items = [v.string_value for v in av.array_value.values]
    if all(items):  # all non-empty strings, the usual case
        return "[" + ",".join(map(encode_basestring, items)) + "]"
    return to_json(any_python(av))


# Small arrays and key-value lists repeat a lot (finish reasons, stop sequences): their JSON
# text is remembered by their serialised bytes, which upb produces far faster than we walk them.
_COMPOSITE_TEXT: dict[bytes, str] = {}
_COMPOSITE_MAX_BYTES = 512
_COMPOSITE_MAX_ENTRIES = 20_000


def _composite_text(av: AnyValue, kind: str) -> str:
    raw = av.SerializeToString()
    text = _COMPOSITE_TEXT.get(raw)
    if text is None:
        text = _array_text(av) if kind == "array_value" else to_json(any_python(av))
        if len(raw) <= _COMPOSITE_MAX_BYTES:
            if len(_COMPOSITE_TEXT) >= _COMPOSITE_MAX_ENTRIES:
                _COMPOSITE_TEXT.clear()
            _COMPOSITE_TEXT[raw] = text
    return text


def any_text(av: AnyValue) -> str:
    """Text of an AnyValue for a map column (callers try `string_value` first)."""
    kind = av.WhichOneof("value")
    if kind == "int_value":
        return str(av.int_value)
    if kind == "double_value":
        return repr(av.double_value)
    if kind == "bool_value":
        return "true" if av.bool_value else "false"
    if kind == "array_value" or kind == "kvlist_value":
        return _composite_text(av, kind)
    if kind == "bytes_value":
        return base64.b64encode(av.bytes_value).decode("ascii")
    return av.string_value if kind == "string_value" else ""


def any_int(av: AnyValue) -> int | None:
    """Whole number from an int, double or numeric string value; None when it is not one."""
    kind = av.WhichOneof("value")
    if kind == "int_value":
        return av.int_value
    if kind == "double_value":
        x = av.double_value
        return int(x) if math.isfinite(x) else None
    if kind == "string_value":
        try:
            return int(float(av.string_value.strip()))
        except (ValueError, OverflowError):
            return None
    return None


def any_float(av: AnyValue) -> float | None:
    kind = av.WhichOneof("value")
    if kind == "double_value":
        return av.double_value
    if kind == "int_value":
        return float(av.int_value)
    if kind == "string_value":
        try:
            return float(av.string_value.strip())
        except ValueError:
            return None
    return None


def any_strings(av: AnyValue, text: str = "") -> list[str]:
    """A list of texts: array items, a JSON array written as a string, or one string.

    `text` is the value's `any_text`, when the caller has it: a JSON array of plain strings
    without a backslash splits exactly on `","` (a quote inside an item would be escaped, and a
    quote left in an item means the array held something other than strings).
    """
    if text.startswith('["') and text.endswith('"]') and "\\" not in text:
        items = text[2:-2].split('","')
        if '"' not in "".join(items):
            return items
    kind = av.WhichOneof("value")
    if kind == "array_value":
        return [v.string_value or any_text(v) for v in av.array_value.values]
    if kind == "string_value":
        s = av.string_value
        if s.startswith("["):
            try:
                items = from_json(s)
            except ValueError:
                return [s]
            if isinstance(items, list):
                return [i if isinstance(i, str) else to_json(i) for i in items]
        return [s] if s else []
    return [any_text(av)] if kind else []


def attributes_text(kvs: Iterable[KeyValue]) -> tuple[list[str], list[str]]:
    """Keys and texts of a list of KeyValues, in order."""
    keys: list[str] = []
    vals: list[str] = []
    for kv in kvs:
        keys.append(kv.key)
        av = kv.value
        vals.append(av.string_value or any_text(av))
    return keys, vals
