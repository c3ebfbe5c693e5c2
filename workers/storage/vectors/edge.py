"""Embedded vector store on qdrant-edge: the real Qdrant engine in-process, one shard per collection.

Each collection is a shard directory under the store's path. A shard directory can be open once
per process (its write-ahead log is locked), so the store keeps its shards open until `close`.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import qdrant_edge as qe

from workers.storage.vectors.base import (
    PAYLOAD_KEYS,
    SCROLL_PAGE,
    Distance,
    ScoredPoint,
    VectorPoint,
    VectorStoreError,
    check_distance,
)

_DISTANCES = {"cosine": qe.Distance.Cosine, "dot": qe.Distance.Dot, "euclid": qe.Distance.Euclid}
_INDEXES = {key: qe.PayloadSchemaType.Keyword for key in PAYLOAD_KEYS} | {"time": qe.PayloadSchemaType.Integer}


class EdgeVectorStore:
    def __init__(self, path: str | Path) -> None:
        self._path = Path(path).expanduser().resolve()
        self._path.mkdir(parents=True, exist_ok=True)
        self._shards: dict[str, qe.EdgeShard] = {}
        self._dims: dict[str, int] = {}
        self._lock = threading.Lock()

    def ensure_collection(self, name: str, dim: int, distance: Distance = "cosine") -> None:
        check_distance(distance)
        _check_name(name)
        with self._lock:
            if name in self._shards:
                if self._dims[name] != dim:
                    raise VectorStoreError(f"collection {name!r} holds {self._dims[name]}-d vectors, not {dim}-d")
                return
            config = qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=dim, distance=_DISTANCES[distance]))
            directory = self._path / name
            try:
                if (directory / "edge_config.json").exists():
                    shard = qe.EdgeShard.load(str(directory), config)  # checks the stored dimension
                else:
                    shard = qe.EdgeShard.create(str(directory), config)
                    for key, schema in _INDEXES.items():
                        shard.update(qe.UpdateOperation.create_field_index(key, schema))
            except Exception as exc:
                raise VectorStoreError(f"cannot open collection {name!r} ({dim}-d {distance}): {exc}") from exc
            self._shards[name] = shard
            self._dims[name] = dim

    def upsert(self, collection: str, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        shard = self._shard(collection)
        batch = [qe.Point(p.id, [float(x) for x in p.vector], dict(p.payload)) for p in points]
        try:
            shard.update(qe.UpdateOperation.upsert_points(batch))
        except Exception as exc:
            raise VectorStoreError(f"upsert of {len(points)} points into {collection!r} failed: {exc}") from exc

    def search(
        self,
        collection: str,
        vector: Sequence[float],
        limit: int,
        filter: dict[str, str] | None = None,
    ) -> list[ScoredPoint]:
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest([float(x) for x in vector]),
            filter=_filter(filter),
            with_payload=True,
        )
        try:
            found = self._shard(collection).query(request)
        except VectorStoreError:
            raise
        except Exception as exc:
            raise VectorStoreError(f"search in {collection!r} failed: {exc}") from exc
        return [ScoredPoint(str(p.id), float(p.score), dict(p.payload or {})) for p in found]

    def count(self, collection: str, filter: dict[str, str] | None = None) -> int:
        return int(self._shard(collection).count(qe.CountRequest(exact=True, filter=_filter(filter))))

    def scroll(
        self,
        collection: str,
        limit: int,
        filter: dict[str, str] | None = None,
        ranges: dict[str, tuple[float, float]] | None = None,
    ) -> list[list[float]]:
        shard = self._shard(collection)
        vectors: list[list[float]] = []
        offset = None
        while len(vectors) < limit:
            request = qe.ScrollRequest(
                offset=offset, limit=min(SCROLL_PAGE, limit - len(vectors)), filter=_filter(filter, ranges),
                with_payload=False, with_vector=True,
            )  # fmt: skip
            records, offset = shard.scroll(request)
            vectors.extend(list(r.vector) for r in records)  # type: ignore[arg-type]
            if offset is None or not records:
                break
        return vectors

    def delete_collection(self, name: str) -> None:
        _check_name(name)
        with self._lock:
            shard = self._shards.pop(name, None)
            self._dims.pop(name, None)
            if shard is not None:
                shard.close()
            shutil.rmtree(self._path / name, ignore_errors=True)

    def collections(self) -> list[str]:
        with self._lock:
            stored = {d.name for d in self._path.iterdir() if (d / "edge_config.json").exists()}
            return sorted(stored | set(self._shards))

    def delete_where(self, collection: str, filter: dict[str, str]) -> None:
        if not filter:
            raise ValueError("delete_where needs a filter; use delete_collection to drop everything")
        try:
            self._shard(collection).update(qe.UpdateOperation.delete_points_by_filter(_filter(filter)))
        except VectorStoreError:
            raise
        except Exception as exc:
            raise VectorStoreError(f"delete in {collection!r} failed: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            for shard in self._shards.values():
                shard.flush()
                shard.close()
            self._shards.clear()
            self._dims.clear()

    def _shard(self, collection: str) -> qe.EdgeShard:
        with self._lock:
            shard = self._shards.get(collection)
            if shard is not None:
                return shard
            # A collection made by an earlier run: open it as stored.
            config_file = self._path / collection / "edge_config.json"
            if not collection or not config_file.exists():
                raise VectorStoreError(f"collection {collection!r} does not exist; call ensure_collection first")
            try:
                shard = qe.EdgeShard.load(str(config_file.parent))
            except Exception as exc:
                raise VectorStoreError(f"cannot open collection {collection!r}: {exc}") from exc
            self._shards[collection] = shard
            self._dims[collection] = int(json.loads(config_file.read_text())["vectors"][""]["size"])
            return shard


def _filter(
    conditions: dict[str, str] | None, ranges: dict[str, tuple[float, float]] | None = None
) -> qe.Filter | None:
    if not conditions and not ranges:
        return None
    must = [qe.FieldCondition(key, match=qe.MatchValue(value)) for key, value in (conditions or {}).items()]
    must += [
        qe.FieldCondition(key, range=qe.RangeFloat(gte=low, lt=high)) for key, (low, high) in (ranges or {}).items()
    ]
    return qe.Filter(must=must)


def _check_name(name: str) -> None:
    # Collection names become directory names.
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ValueError(f"invalid collection name {name!r}: use letters, digits, _ and -")
