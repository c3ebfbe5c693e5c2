"""Vector store on qdrant-client: a Qdrant server by URL, or the client's local mode for tests.

`location` is a server URL (http/https), ":memory:", or a directory for the local mode.
Payload indexes are created only on a server (the local mode ignores them).
"""

from __future__ import annotations

from collections.abc import Sequence

from qdrant_client import QdrantClient, models

from workers.storage.vectors.base import (
    PAYLOAD_KEYS,
    SCROLL_PAGE,
    Distance,
    ScoredPoint,
    VectorPoint,
    VectorStoreError,
    check_distance,
)

_DISTANCES = {"cosine": models.Distance.COSINE, "dot": models.Distance.DOT, "euclid": models.Distance.EUCLID}
_INDEXES = {key: models.PayloadSchemaType.KEYWORD for key in PAYLOAD_KEYS} | {"time": models.PayloadSchemaType.INTEGER}


class ServerVectorStore:
    def __init__(self, location: str, api_key: str | None = None) -> None:
        self._is_server = location.startswith(("http://", "https://"))
        if self._is_server:
            # No background version probe: it warns from a thread whenever the server is not up yet.
            self._client = QdrantClient(url=location, api_key=api_key, check_compatibility=False)
        elif location == ":memory:":
            self._client = QdrantClient(location=location)
        else:
            self._client = QdrantClient(path=location)

    def ensure_collection(self, name: str, dim: int, distance: Distance = "cosine") -> None:
        check_distance(distance)
        if self._client.collection_exists(name):
            vectors = self._client.get_collection(name).config.params.vectors
            size = vectors.size if isinstance(vectors, models.VectorParams) else None
            if size != dim:
                raise VectorStoreError(f"collection {name!r} holds {size}-d vectors, not {dim}-d")
            return
        try:
            self._client.create_collection(
                name, vectors_config=models.VectorParams(size=dim, distance=_DISTANCES[distance])
            )
        except Exception as exc:
            # Another process may have created it in between; that is fine if it now exists.
            if not self._client.collection_exists(name):
                raise VectorStoreError(f"cannot create collection {name!r}: {exc}") from exc
        if self._is_server:
            for key, schema in _INDEXES.items():
                self._client.create_payload_index(name, key, schema)

    def upsert(self, collection: str, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        batch = [models.PointStruct(id=p.id, vector=[float(x) for x in p.vector], payload=p.payload) for p in points]
        try:
            self._client.upsert(collection, batch, wait=True)
        except Exception as exc:
            raise VectorStoreError(f"upsert of {len(points)} points into {collection!r} failed: {exc}") from exc

    def search(
        self,
        collection: str,
        vector: Sequence[float],
        limit: int,
        filter: dict[str, str] | None = None,
    ) -> list[ScoredPoint]:
        try:
            found = self._client.query_points(
                collection,
                query=[float(x) for x in vector],
                limit=limit,
                query_filter=_filter(filter),
                with_payload=True,
            ).points
        except Exception as exc:
            raise VectorStoreError(f"search in {collection!r} failed: {exc}") from exc
        return [ScoredPoint(str(p.id), float(p.score), dict(p.payload or {})) for p in found]

    def count(self, collection: str, filter: dict[str, str] | None = None) -> int:
        return self._client.count(collection, count_filter=_filter(filter), exact=True).count

    def scroll(
        self,
        collection: str,
        limit: int,
        filter: dict[str, str] | None = None,
        ranges: dict[str, tuple[float, float]] | None = None,
    ) -> list[list[float]]:
        if not self._client.collection_exists(collection):
            raise VectorStoreError(f"collection {collection!r} does not exist")
        vectors: list[list[float]] = []
        offset = None
        while len(vectors) < limit:
            records, offset = self._client.scroll(
                collection, scroll_filter=_filter(filter, ranges), limit=min(SCROLL_PAGE, limit - len(vectors)),
                offset=offset, with_payload=False, with_vectors=True,
            )  # fmt: skip
            vectors.extend(list(r.vector) for r in records)  # type: ignore[arg-type]
            if offset is None or not records:
                break
        return vectors

    def delete_collection(self, name: str) -> None:
        self._client.delete_collection(name)

    def collections(self) -> list[str]:
        return sorted(c.name for c in self._client.get_collections().collections)

    def delete_where(self, collection: str, filter: dict[str, str]) -> None:
        if not filter:
            raise ValueError("delete_where needs a filter; use delete_collection to drop everything")
        try:
            self._client.delete(collection, points_selector=models.FilterSelector(filter=_filter(filter)), wait=True)
        except Exception as exc:
            raise VectorStoreError(f"delete in {collection!r} failed: {exc}") from exc

    def close(self) -> None:
        self._client.close()


def _filter(
    conditions: dict[str, str] | None, ranges: dict[str, tuple[float, float]] | None = None
) -> models.Filter | None:
    if not conditions and not ranges:
        return None
    must = [models.FieldCondition(key=k, match=models.MatchValue(value=v)) for k, v in (conditions or {}).items()]
    must += [
        models.FieldCondition(key=k, range=models.Range(gte=low, lt=high)) for k, (low, high) in (ranges or {}).items()
    ]
    return models.Filter(must=must)
