"""Embeddings for drift: the current window's vectors and reference datasets, both in Qdrant.

Live embeddings sit in `pyflare_embeddings_<dim>` (written by ingest, payload project/model_id/time);
reference datasets in `pyflare_reference_<dim>` (payload project/model_id/dataset_version/sample_index).
Both are read with the vector store's `scroll`. Collections use cosine distance, so stored vectors
come back L2-normalised on both sides.
"""

from __future__ import annotations

import uuid

import numpy as np

from workers.storage.vectors import (
    PYFLARE_NAMESPACE,
    VectorPoint,
    VectorStore,
    VectorStoreError,
    embedding_collection,
)

MAX_DIM = 8192


def reference_collection(dim: int) -> str:
    return f"pyflare_reference_{dim}"


def _scroll(
    store: VectorStore,
    collection: str,
    filter: dict[str, str],
    limit: int,
    ranges: dict[str, tuple[float, float]] | None = None,
) -> np.ndarray:
    try:
        rows = store.scroll(collection, limit, filter, ranges)
    except VectorStoreError:  # no such collection yet: no vectors
        return np.empty((0, 0), dtype=np.float32)
    return np.asarray(rows, dtype=np.float32) if rows else np.empty((0, 0), dtype=np.float32)


def window_embeddings(
    store: VectorStore, project: str, model_id: str, dim: int, start_ns: int, end_ns: int, limit: int
) -> np.ndarray:
    """Up to `limit` live embeddings of one model and dimension with start time in [start, end)."""
    filter = {"project": project, "model_id": model_id}
    return _scroll(store, embedding_collection(dim), filter, limit, {"time": (start_ns, end_ns)})


def reference_embeddings(
    store: VectorStore, project: str, model_id: str, version: str, dim: int, limit: int
) -> np.ndarray:
    filter = {"project": project, "model_id": model_id, "dataset_version": version}
    return _scroll(store, reference_collection(dim), filter, limit)


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
