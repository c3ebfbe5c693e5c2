"""`pyflare.embedding` AnyValue -> list of floats, fast for the usual array of doubles.

An array of N doubles serialises to N identical 11-byte records (`0a 09 21` + 8 bytes), which
numpy reads in one call; anything else goes through the per-item path.
"""

from __future__ import annotations

import json

import numpy as np
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from workers.telemetry.anyvalue import any_float

_DOUBLE_ITEM = np.dtype([("head", "S3"), ("value", "<f8")])
_HEAD = b"\x0a\x09\x21"  # ArrayValue.values (field 1, 9 bytes) holding AnyValue.double_value (field 4)


def embedding_vector(av: AnyValue) -> list[float]:
    """The vector, or [] when the value is not an array of numbers."""
    kind = av.WhichOneof("value")
    if kind == "string_value":  # some SDKs can only send strings: a JSON array
        try:
            items = json.loads(av.string_value)
        except ValueError:
            return []
        ok = isinstance(items, list) and all(isinstance(x, int | float) for x in items)
        return [float(x) for x in items] if ok else []
    if kind != "array_value":
        return []
    array = av.array_value
    raw = array.SerializeToString()
    if len(raw) == 11 * len(array.values):
        records = np.frombuffer(raw, dtype=_DOUBLE_ITEM)
        if bool((records["head"] == _HEAD).all()):
            return records["value"].tolist()
    vector: list[float] = []
    for item in array.values:
        x = any_float(item)
        if x is None:
            return []
        vector.append(x)
    return vector
