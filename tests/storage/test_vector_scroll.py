"""`VectorStore.scroll` on both backends: every matching vector once, filters and time ranges, limits
across pages, and a clear error for a missing collection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from workers.storage.vectors import EdgeVectorStore, ServerVectorStore, VectorStore, VectorStoreError, embedding_point
from workers.storage.vectors.base import SCROLL_PAGE

DIM = 8
COLLECTION = "pyflare_embeddings_8"
N = SCROLL_PAGE + 300  # more than one page
T0 = 1_760_000_000_000_000_000
SECOND = 1_000_000_000  # one point per second (ranges compare as doubles: nanoseconds apart would blur)


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    backend: VectorStore = (
        EdgeVectorStore(tmp_path / "qdrant") if request.param == "edge" else ServerVectorStore(":memory:")
    )
    backend.ensure_collection(COLLECTION, DIM)
    yield backend
    backend.close()


@pytest.fixture
def vectors(store: VectorStore) -> np.ndarray:
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


def test_scroll_returns_every_matching_vector_once(store: VectorStore, vectors: np.ndarray) -> None:
    found = store.scroll(COLLECTION, N, {"project": "checkout"})
    assert sorted(matched(found, vectors)) == list(range(0, N, 2))


def test_scroll_applies_a_half_open_time_range(store: VectorStore, vectors: np.ndarray) -> None:
    window = {"time": (T0 + 100 * SECOND, T0 + 1200 * SECOND)}
    found = store.scroll(COLLECTION, N, {"project": "search", "model_id": "clip"}, window)
    expected = [i for i in range(100, 1200) if i % 2 == 1]  # search spans: odd indexes; 1200 itself excluded
    assert sorted(matched(found, vectors)) == expected


def test_scroll_stops_at_the_limit_across_pages(store: VectorStore, vectors: np.ndarray) -> None:
    found = store.scroll(COLLECTION, SCROLL_PAGE + 10)
    assert len(found) == SCROLL_PAGE + 10
    assert len(set(matched(found, vectors))) == SCROLL_PAGE + 10  # distinct stored points


def test_scroll_of_a_missing_collection_names_it(store: VectorStore) -> None:
    with pytest.raises(VectorStoreError, match="pyflare_embeddings_99"):
        store.scroll("pyflare_embeddings_99", 10)
