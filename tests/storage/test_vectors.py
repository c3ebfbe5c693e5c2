"""Both vector-store backends behave the same: idempotent upserts, filters, exact neighbours."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from workers.storage.vectors import (
    PYFLARE_NAMESPACE,
    EdgeVectorStore,
    ServerVectorStore,
    VectorPoint,
    VectorStore,
    VectorStoreError,
    embedding_collection,
    embedding_point,
    embedding_point_id,
    vector_store_from_env,
)
from workers.storage.vectors.base import SCROLL_PAGE

DIM = 16
COLLECTION = embedding_collection(DIM)
T0 = 1_760_000_000_000_000_000


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    backend: VectorStore = (
        EdgeVectorStore(tmp_path / "qdrant") if request.param == "edge" else ServerVectorStore(":memory:")
    )
    backend.ensure_collection(COLLECTION, DIM)
    yield backend
    backend.close()


def make_points(rng: np.random.Generator, n: int) -> tuple[list[VectorPoint], np.ndarray]:
    vectors = rng.normal(size=(n, DIM)).astype(np.float32)
    points = [
        embedding_point(
            project=["checkout", "search"][i % 2],
            model_id=["gpt-4o", "bert-base", "clip"][i % 3],
            trace_id=f"{i:032x}",
            span_id=f"{i:016x}",
            time_ns=1_760_000_000_000_000_000 + i,
            embedding_type="input",
            vector=vectors[i].tolist(),
        )
        for i in range(n)
    ]
    return points, vectors


def cosine_top(vectors: np.ndarray, query: np.ndarray, mask: np.ndarray, k: int) -> tuple[list[int], np.ndarray]:
    normed = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = normed @ (query / np.linalg.norm(query))
    scores = np.where(mask, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return order.tolist(), scores[order]


def test_upsert_twice_keeps_one_point_per_span(store: VectorStore) -> None:
    points, _ = make_points(np.random.default_rng(1), 60)
    store.upsert(COLLECTION, points)
    assert store.count(COLLECTION) == 60
    store.upsert(COLLECTION, points[:30])
    store.upsert(COLLECTION, points)
    assert store.count(COLLECTION) == 60


def test_filters_select_only_matching_points(store: VectorStore) -> None:
    rng = np.random.default_rng(2)
    points, _ = make_points(rng, 90)
    store.upsert(COLLECTION, points)
    wanted = {"project": "search", "model_id": "bert-base"}
    matching = [i for i, p in enumerate(points) if all(p.payload[k] == v for k, v in wanted.items())]
    assert store.count(COLLECTION, wanted) == len(matching) == 15
    assert store.count(COLLECTION, {"project": "checkout"}) == 45
    found = store.search(COLLECTION, rng.normal(size=DIM).tolist(), limit=50, filter=wanted)
    assert sorted(p.id for p in found) == sorted(points[i].id for i in matching)
    assert all(p.payload["project"] == "search" and p.payload["model_id"] == "bert-base" for p in found)


def test_nearest_neighbours_match_brute_force_cosine(store: VectorStore) -> None:
    rng = np.random.default_rng(3)
    points, vectors = make_points(rng, 400)
    store.upsert(COLLECTION, points)
    projects = np.array([p.payload["project"] for p in points])
    for _ in range(5):
        query = rng.normal(size=DIM).astype(np.float32)
        for flt, mask in ((None, np.ones(len(points), bool)), ({"project": "checkout"}, projects == "checkout")):
            order, scores = cosine_top(vectors, query, mask, 10)
            found = store.search(COLLECTION, query.tolist(), limit=10, filter=flt)
            assert [p.id for p in found] == [points[i].id for i in order]
            np.testing.assert_allclose([p.score for p in found], scores, rtol=1e-4, atol=1e-5)


def test_payload_round_trips(store: VectorStore) -> None:
    points, vectors = make_points(np.random.default_rng(4), 5)
    store.upsert(COLLECTION, points)
    found = store.search(COLLECTION, vectors[2].tolist(), limit=1)
    assert found[0].id == embedding_point_id(f"{2:016x}")
    assert found[0].payload == points[2].payload
    assert found[0].score == pytest.approx(1.0, abs=1e-5)


def test_dimension_mismatch_is_refused(store: VectorStore) -> None:
    with pytest.raises(VectorStoreError, match=COLLECTION):
        store.ensure_collection(COLLECTION, DIM * 2)


def test_delete_collection_drops_points(store: VectorStore) -> None:
    points, _ = make_points(np.random.default_rng(5), 10)
    store.upsert(COLLECTION, points)
    store.delete_collection(COLLECTION)
    store.ensure_collection(COLLECTION, DIM)
    assert store.count(COLLECTION) == 0


def test_edge_store_reopens_its_collections(tmp_path: Path) -> None:
    points, vectors = make_points(np.random.default_rng(6), 20)
    first = EdgeVectorStore(tmp_path)
    first.ensure_collection(COLLECTION, DIM)
    first.upsert(COLLECTION, points)
    first.close()
    again = EdgeVectorStore(tmp_path)
    assert again.count(COLLECTION) == 20  # opened from disk without ensure_collection
    assert again.search(COLLECTION, vectors[7].tolist(), limit=1)[0].id == points[7].id
    with pytest.raises(VectorStoreError, match="holds 16-d"):
        again.ensure_collection(COLLECTION, 8)
    again.close()
    with pytest.raises(VectorStoreError, match="does not exist"):
        EdgeVectorStore(tmp_path).count("pyflare_embeddings_3")


def rfc4122_uuid5(namespace: uuid.UUID, name: str) -> str:
    """Name-based UUID v5 computed by hand from RFC 4122 section 4.3."""
    digest = bytearray(hashlib.sha1(namespace.bytes + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def test_point_ids_are_uuid5_of_the_span_id() -> None:
    # Pinned: a different namespace would orphan every point already stored.
    assert uuid.UUID("6f1c2d3e-8a4b-5c6d-9e0f-a1b2c3d4e5f6") == PYFLARE_NAMESPACE
    assert embedding_point_id("00f067aa0ba902b7") == rfc4122_uuid5(PYFLARE_NAMESPACE, "00f067aa0ba902b7")
    assert embedding_point_id("00f067aa0ba902b7") == "dff931e8-4711-5ea4-8811-e40d5b2a1a5c"
    assert embedding_point_id("00f067aa0ba902b8") != embedding_point_id("00f067aa0ba902b7")


def test_backend_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PYFLARE_QDRANT_URL", raising=False)
    monkeypatch.setenv("PYFLARE_DATA_DIR", str(tmp_path))
    embedded = vector_store_from_env()
    assert isinstance(embedded, EdgeVectorStore)
    assert vector_store_from_env() is embedded  # a shard directory opens once per process
    embedded.ensure_collection(COLLECTION, DIM)
    assert (tmp_path / "qdrant" / COLLECTION / "edge_config.json").exists()
    embedded.close()
    monkeypatch.setenv("PYFLARE_QDRANT_URL", "http://127.0.0.1:6333")
    assert isinstance(vector_store_from_env(), ServerVectorStore)


# --- scroll: every matching vector once, filters and time ranges, limits across pages -------------

N = SCROLL_PAGE + 300  # more than one page
SECOND = 1_000_000_000  # one point per second (ranges compare as doubles: nanoseconds apart would blur)


@pytest.fixture
def scroll_vectors(store: VectorStore) -> np.ndarray:
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(N, DIM)).astype(np.float32)
    points = [
        embedding_point(project=["checkout", "search"][i % 2], model_id="clip", trace_id=f"{i:032x}",
                        span_id=f"{i:016x}", time_ns=T0 + i * SECOND, embedding_type="input", vector=rows[i].tolist())
        for i in range(N)
    ]  # fmt: skip
    for start in range(0, N, 500):
        store.upsert(COLLECTION, points[start : start + 500])
    return rows


def _unit(rows: np.ndarray | list[list[float]]) -> np.ndarray:
    array = np.asarray(rows, dtype=np.float64)
    return array / np.linalg.norm(array, axis=1, keepdims=True)  # cosine collections store unit vectors


def matched(found: list[list[float]], stored: np.ndarray) -> list[int]:
    """Index of the stored vector each found one is (cosine ~ 1); fails when one matches none."""
    similarity = _unit(found) @ _unit(stored).T
    assert (similarity.max(axis=1) > 0.99999).all()
    return similarity.argmax(axis=1).tolist()


def test_scroll_returns_every_matching_vector_once(store: VectorStore, scroll_vectors: np.ndarray) -> None:
    found = store.scroll(COLLECTION, N, {"project": "checkout"})
    assert sorted(matched(found, scroll_vectors)) == list(range(0, N, 2))


def test_scroll_applies_a_half_open_time_range(store: VectorStore, scroll_vectors: np.ndarray) -> None:
    window = {"time": (T0 + 100 * SECOND, T0 + 1200 * SECOND)}
    found = store.scroll(COLLECTION, N, {"project": "search", "model_id": "clip"}, window)
    expected = [i for i in range(100, 1200) if i % 2 == 1]  # search spans: odd indexes; 1200 itself excluded
    assert sorted(matched(found, scroll_vectors)) == expected


def test_scroll_stops_at_the_limit_across_pages(store: VectorStore, scroll_vectors: np.ndarray) -> None:
    found = store.scroll(COLLECTION, SCROLL_PAGE + 10)
    assert len(found) == SCROLL_PAGE + 10
    assert len(set(matched(found, scroll_vectors))) == SCROLL_PAGE + 10  # distinct stored points


def test_scroll_of_a_missing_collection_names_it(store: VectorStore) -> None:
    with pytest.raises(VectorStoreError, match="pyflare_embeddings_99"):
        store.scroll("pyflare_embeddings_99", 10)
