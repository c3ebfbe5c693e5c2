"""Vector storage for embeddings: one small interface, an embedded and a server backend.

`vector_store_from_env()` picks the backend: `PYFLARE_QDRANT_URL` set means a Qdrant server,
otherwise the embedded qdrant-edge engine under `PYFLARE_DATA_DIR/qdrant`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from workers.env import env_str
from workers.storage.datadir import data_dir
from workers.storage.vectors.base import (
    PYFLARE_NAMESPACE,
    ScoredPoint,
    VectorPoint,
    VectorStore,
    VectorStoreError,
    embedding_collection,
    embedding_point,
    embedding_point_id,
)
from workers.storage.vectors.edge import EdgeVectorStore
from workers.storage.vectors.server import ServerVectorStore

__all__ = [
    "PYFLARE_NAMESPACE",
    "EdgeVectorStore",
    "ScoredPoint",
    "ServerVectorStore",
    "VectorPoint",
    "VectorStore",
    "VectorStoreError",
    "embedding_collection",
    "embedding_point",
    "embedding_point_id",
    "vector_store_from_env",
]

# An edge shard can be opened once per process, so every caller shares one store per directory.
_edge_stores: dict[Path, EdgeVectorStore] = {}
_edge_lock = threading.Lock()


def vector_store_from_env() -> VectorStore:
    url = env_str("PYFLARE_QDRANT_URL", "")
    if url:
        return ServerVectorStore(url, api_key=env_str("PYFLARE_QDRANT_API_KEY", "") or None)
    path = data_dir() / "qdrant"
    with _edge_lock:
        store = _edge_stores.get(path)
        if store is None:
            store = _edge_stores[path] = EdgeVectorStore(path)
        return store
