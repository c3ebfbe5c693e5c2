"""What the three signal batches share: decode, all-or-nothing adds, counting and clearing.

A request is normalised into fresh `Parts` and merged into the batch only once it is done, so
a request that fails half way (DecodeError) leaves the batch as it was.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

import pyarrow as pa
from google.protobuf.message import Message

from workers.telemetry.decode import decode_request
from workers.telemetry.options import EmbeddingRecord, NormaliseOptions

R = TypeVar("R", bound=Message)


class Parts:
    """Rows (tuples in schema order) plus the flat lists of the map and list columns."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.resources: list[tuple[list[str], list[str]]] = []
        self.embeddings: list[EmbeddingRecord] = []

    def extend(self, other: Parts) -> None:
        for name, value in vars(other).items():
            getattr(self, name).extend(value)


class OtlpBatch(Generic[R]):
    """Rows of one signal accumulated from OTLP requests until `to_arrow`; subclasses normalise."""

    signal: ClassVar[str]
    schema: ClassVar[pa.Schema]
    request_type: ClassVar[type[Message]]
    parts_type: ClassVar[type[Parts]] = Parts

    def __init__(self, options: NormaliseOptions | None = None) -> None:
        self.options = options or NormaliseOptions()
        self._parts = self.parts_type()
        self.embeddings: list[EmbeddingRecord] = self._parts.embeddings

    def __len__(self) -> int:
        return len(self._parts.rows)

    def clear(self) -> None:
        self._parts = self.parts_type()
        self.embeddings = self._parts.embeddings

    def add_otlp(self, payload: bytes, *, encoding: str = "protobuf", partition: int = -1, offset: int = -1) -> int:
        """Decode one OTLP export request and add its rows; returns how many were added."""
        request = decode_request(payload, encoding, self.request_type, self.signal)
        return self.add_request(request, partition=partition, offset=offset)  # type: ignore[arg-type]

    def add_request(self, request: R, *, partition: int = -1, offset: int = -1) -> int:
        parts = self.parts_type()
        self._normalise(request, parts, partition, offset, len(self._parts.resources))
        self._parts.extend(parts)
        return len(parts.rows)

    def to_arrow(self) -> pa.Table:
        parts = self._parts
        columns = list(zip(*parts.rows, strict=True)) or [()] * len(self.schema)
        return pa.Table.from_arrays(self._arrays(parts, columns), schema=self.schema)

    def _normalise(self, request: R, parts: Any, partition: int, offset: int, resource_base: int) -> None:
        raise NotImplementedError

    def _arrays(self, parts: Any, columns: list[tuple[Any, ...]]) -> list[pa.Array]:
        raise NotImplementedError
