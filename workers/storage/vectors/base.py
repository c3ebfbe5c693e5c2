"""The vector-store interface PyFlare codes against, and the embedding point conventions.

One collection per embedding dimension (`pyflare_embeddings_<dim>`); a point's id is derived from
its span id so a re-delivered span overwrites its own point instead of adding one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Distance = Literal["cosine", "dot", "euclid"]
DISTANCES: tuple[str, ...] = ("cosine", "dot", "euclid")

SCROLL_PAGE = 1000  # points per scroll request

# Fixed for ever: changing it would orphan every stored point id.
PYFLARE_NAMESPACE = uuid.UUID("6f1c2d3e-8a4b-5c6d-9e0f-a1b2c3d4e5f6")
PAYLOAD_KEYS: tuple[str, ...] = ("project", "model_id", "trace_id", "span_id", "time", "embedding_type")


class VectorStoreError(RuntimeError):
    """A vector-store call failed; the message names the collection."""


@dataclass(frozen=True)
class VectorPoint:
    id: str
    vector: Sequence[float]
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredPoint:
    id: str
    score: float
    payload: dict[str, Any]


class VectorStore(Protocol):
    def ensure_collection(self, name: str, dim: int, distance: Distance = "cosine") -> None: ...

    def upsert(self, collection: str, points: Sequence[VectorPoint]) -> None: ...

    def search(
        self,
        collection: str,
        vector: Sequence[float],
        limit: int,
        filter: dict[str, str] | None = None,
    ) -> list[ScoredPoint]: ...

    def count(self, collection: str, filter: dict[str, str] | None = None) -> int: ...

    def scroll(
        self,
        collection: str,
        limit: int,
        filter: dict[str, str] | None = None,
        ranges: dict[str, tuple[float, float]] | None = None,
    ) -> list[list[float]]:
        """Up to `limit` vectors of the points matching every `filter` value and every `ranges` key in
        [low, high), in the store's order; VectorStoreError when the collection does not exist."""
        ...

    def delete_collection(self, name: str) -> None: ...

    def collections(self) -> list[str]: ...

    def delete_where(self, collection: str, filter: dict[str, str]) -> None: ...

    def close(self) -> None: ...


def embedding_point_id(span_id: str) -> str:
    return str(uuid.uuid5(PYFLARE_NAMESPACE, span_id))


def embedding_collection(dim: int) -> str:
    return f"pyflare_embeddings_{dim}"


def embedding_point(
    *,
    project: str,
    model_id: str,
    trace_id: str,
    span_id: str,
    time_ns: int,
    embedding_type: str,
    vector: Sequence[float],
) -> VectorPoint:
    """The point stored for a span's `pyflare.embedding`."""
    payload = {
        "project": project,
        "model_id": model_id,
        "trace_id": trace_id,
        "span_id": span_id,
        "time": time_ns,
        "embedding_type": embedding_type,
    }
    return VectorPoint(embedding_point_id(span_id), vector, payload)


def check_distance(distance: str) -> None:
    if distance not in DISTANCES:
        raise ValueError(f"unknown distance {distance!r}; use one of {', '.join(DISTANCES)}")
