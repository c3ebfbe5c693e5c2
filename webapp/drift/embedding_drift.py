"""Embedding drift of a window: live vectors of the model from Qdrant against its reference dataset.

The reference summary (MMD: a seeded subsample of at most 2,000 rows with its median-heuristic
bandwidth; centroid: the mean vector) is built once per dataset version and method and cached; per
window at most CURRENT_ROWS live vectors are read.
"""

from __future__ import annotations

from webapp.drift.config import MonitorConfig
from webapp.drift.reference_set import EmbeddingBase
from webapp.drift.store import LruCache
from webapp.drift.vectors import reference_embeddings, window_embeddings
from workers.analysis.drift import DriftConfigError, FeatureType, Summary, TestResult, get_test, resolve_method
from workers.storage.vectors import VectorStore

CURRENT_ROWS = 2000
REFERENCE_ROWS = 5000
EMBEDDING_SUMMARIES = LruCache(32)


def embedding_result(
    store: VectorStore,
    project: str,
    model_id: str,
    base: EmbeddingBase,
    window: tuple[int, int],
    config: MonitorConfig,
) -> tuple[TestResult | None, int, int, str]:
    """(result, reference rows, current rows, reason when there is no result)."""
    current = window_embeddings(store, project, model_id, base.dim, window[0], window[1], CURRENT_ROWS)
    n_current = int(current.shape[0])
    if n_current < config.min_samples:
        return None, base.count, n_current, f"fewer than {config.min_samples} {base.dim}-d embeddings in the window"
    method = config.embedding_method or resolve_method(FeatureType.EMBEDDING, min(n_current, base.count)).test.name
    test = get_test(method)

    def summarise() -> Summary | None:
        rows = reference_embeddings(store, project, model_id, base.dataset_version, base.dim, REFERENCE_ROWS)
        return test.summarise(rows, feature_type=FeatureType.EMBEDDING) if rows.shape[0] else None

    key = (project, model_id, base.dataset_version, base.dim, base.count, method)
    summary = EMBEDDING_SUMMARIES.get(key, summarise)
    if summary is None:
        return None, 0, n_current, f"the reference dataset {base.dataset_version!r} holds no {base.dim}-d vectors"
    try:
        result = test.score(summary, current, config.embedding_threshold)
    except DriftConfigError as exc:
        return None, summary.count, n_current, str(exc)
    return result, summary.count, n_current, ""
