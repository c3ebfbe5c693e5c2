"""Embeddings for drift: the current window's vectors and reference datasets, both in Qdrant.

Live embeddings sit in `pyflare_embeddings_<dim>` (written by ingest, payload project/model_id/time);
reference datasets in `pyflare_reference_<dim>` (payload project/model_id/dataset_version/sample_index,
as the seed's reference-embeddings collection). Reading a filtered set of vectors needs a scroll with a
time range, which the shared VectorStore interface does not offer yet, so `_scroll` reaches into the
two backends here; it belongs in workers/storage/vectors when that interface grows a `scroll`.
Collections use cosine distance, so stored vectors come back L2-normalised on both sides.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from workers.storage.vectors import (
    PYFLARE_NAMESPACE,
    EdgeVectorStore,
    ServerVectorStore,
    VectorPoint,
    VectorStore,
    VectorStoreError,
    embedding_collection,
)

MAX_DIM = 8192


def reference_collection(dim: int) -> str:
    return f"pyflare_reference_{dim}"


def _edge_scroll(store: EdgeVectorStore, collection: str, must: list[Any], limit: int) -> list[list[float]]:
    import qdrant_edge as qe

    conditions: list[Any] = [
        qe.FieldCondition(key, match=qe.MatchValue(value)) if kind == "match"
        else qe.FieldCondition(key, range=qe.RangeFloat(gte=value[0], lt=value[1]))
        for kind, key, value in must
    ]  # fmt: skip
    shard = store._shard(collection)
    vectors: list[list[float]] = []
    offset = None
    while len(vectors) < limit:
        request = qe.ScrollRequest(
            offset=offset, limit=min(1000, limit - len(vectors)), filter=qe.Filter(must=conditions),
            with_payload=False, with_vector=True,
        )  # fmt: skip
        records, offset = shard.scroll(request)
        vectors.extend(list(r.vector) for r in records)  # type: ignore[arg-type]
        if offset is None or not records:
            break
    return vectors


def _server_scroll(store: ServerVectorStore, collection: str, must: list[Any], limit: int) -> list[list[float]]:
    from qdrant_client import models

    conditions: list[Any] = [
        models.FieldCondition(key=key, match=models.MatchValue(value=value)) if kind == "match"
        else models.FieldCondition(key=key, range=models.Range(gte=value[0], lt=value[1]))
        for kind, key, value in must
    ]  # fmt: skip
    client = store._client
    if not client.collection_exists(collection):
        raise VectorStoreError(f"collection {collection!r} does not exist")
    vectors: list[list[float]] = []
    offset = None
    while len(vectors) < limit:
        records, offset = client.scroll(
            collection, scroll_filter=models.Filter(must=conditions), limit=min(1000, limit - len(vectors)),
            offset=offset, with_payload=False, with_vectors=True,
        )  # fmt: skip
        vectors.extend(list(r.vector) for r in records)  # type: ignore[arg-type]
        if offset is None or not records:
            break
    return vectors


def _scroll(store: VectorStore, collection: str, must: list[Any], limit: int) -> np.ndarray:
    try:
        if isinstance(store, EdgeVectorStore):
            rows = _edge_scroll(store, collection, must, limit)
        elif isinstance(store, ServerVectorStore):
            rows = _server_scroll(store, collection, must, limit)
        else:
            raise TypeError(f"no scroll for vector store {type(store).__name__}")
    except VectorStoreError:
        return np.empty((0, 0), dtype=np.float32)
    return np.asarray(rows, dtype=np.float32) if rows else np.empty((0, 0), dtype=np.float32)


def window_embeddings(
    store: VectorStore, project: str, model_id: str, dim: int, start_ns: int, end_ns: int, limit: int
) -> np.ndarray:
    """Up to `limit` live embeddings of one model and dimension with start time in [start, end)."""
    must = [("match", "project", project), ("match", "model_id", model_id), ("range", "time", (start_ns, end_ns))]
    return _scroll(store, embedding_collection(dim), must, limit)


def reference_embeddings(
    store: VectorStore, project: str, model_id: str, version: str, dim: int, limit: int
) -> np.ndarray:
    must = [("match", "project", project), ("match", "model_id", model_id), ("match", "dataset_version", version)]
    return _scroll(store, reference_collection(dim), must, limit)


def reference_count(store: VectorStore, project: str, model_id: str, version: str, dim: int) -> int:
    try:
        return store.count(
            reference_collection(dim), {"project": project, "model_id": model_id, "dataset_version": version}
        )
    except Exception:  # a missing collection: VectorStoreError on edge, the client's own errors on a server
        return 0


def store_reference(
    store: VectorStore,
    project: str,
    model_id: str,
    version: str,
    vectors: np.ndarray,
    first_index: int = 0,
    embedding_type: str = "",
) -> None:
    """Write vectors as samples first_index.. of a dataset version (ids fixed by position: re-sending overwrites)."""
    dim = int(vectors.shape[1])
    collection = reference_collection(dim)
    store.ensure_collection(collection, dim)
    points: list[VectorPoint] = []
    for offset, row in enumerate(vectors):
        index = first_index + offset
        key = f"reference/{project}/{model_id}/{version}/{index}"
        payload = {
            "project": project, "model_id": model_id, "dataset_version": version,
            "sample_index": index, "embedding_type": embedding_type,
        }  # fmt: skip
        points.append(VectorPoint(str(uuid.uuid5(PYFLARE_NAMESPACE, key)), row.tolist(), payload))
    for start in range(0, len(points), 1000):
        store.upsert(collection, points[start : start + 1000])
