"""Stored form of a reference: a JSON manifest whose numpy arrays sit in one compressed .npz archive.

`pack` swaps every array in a nested dict/list for `{"$array": key}` and archives the arrays;
`unpack` reverses it. A 1M-value sorted sample is 8 MB of float64 instead of ~20 MB of JSON, and
loads without parsing text. Archives never hold Python objects (np.load with allow_pickle=False).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

_KEY = "$array"


def pack(tree: Any) -> tuple[Any, bytes]:
    arrays: dict[str, np.ndarray] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, np.ndarray):
            if node.dtype == object:
                raise TypeError("object arrays cannot be stored; convert them to str or numbers first")
            key = f"a{len(arrays)}"
            arrays[key] = node
            return {_KEY: key}
        if isinstance(node, dict):
            return {str(k): walk(v) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return [walk(v) for v in node]
        if isinstance(node, np.generic):
            return node.item()
        return node

    manifest = walk(tree)
    if not arrays:
        return manifest, b""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return manifest, buffer.getvalue()


def unpack(manifest: Any, blob: bytes | memoryview) -> Any:
    archive = np.load(io.BytesIO(bytes(blob)), allow_pickle=False) if blob else None

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {_KEY}:
                if archive is None:
                    raise ValueError(f"the reference manifest names array {node[_KEY]!r} but has no archive")
                return archive[node[_KEY]]
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(manifest)
