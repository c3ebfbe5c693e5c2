"""The embedding part of a window, read for scoring: live vectors of the model from Qdrant and its
reference dataset's summary.

The reference summary (MMD: a seeded subsample of at most 2,000 rows with its median-heuristic
bandwidth; centroid: the mean vector) is built once per dataset version and method and cached; per
window at most CURRENT_ROWS live vectors are read, and the reference only when they are enough.
"""

from __future__ import annotations

from workers.analysis.drift.monitor.cache import LruCache
from workers.analysis.drift.monitor.config import MonitorConfig, embedding_method
from workers.analysis.drift.monitor.reference_set import EmbeddingBase
from workers.analysis.drift.monitor.scoring import EmbeddingWindow, summarise_embeddings
from workers.analysis.drift.monitor.window import WindowSpec
from workers.analysis.drift.summaries import Summary
from workers.storage.drift.vectors import reference_embeddings, window_embeddings
from workers.storage.vectors import VectorStore

CURRENT_ROWS = 2000
REFERENCE_ROWS = 5000
EMBEDDING_SUMMARIES = LruCache(32)


def read_embeddings(
    store: VectorStore, spec: WindowSpec, base: EmbeddingBase, config: MonitorConfig
) -> EmbeddingWindow:
    project, model_id = spec.project, spec.model_id
    current = window_embeddings(store, project, model_id, base.dim, spec.start_ns, spec.end_ns, CURRENT_ROWS)
    if current.shape[0] < config.min_samples:
        return EmbeddingWindow(base, current, "")  # too few to score: no method, no reference read
    method = embedding_method(config, base, int(current.shape[0]))

    def summarise() -> Summary | None:
        rows = reference_embeddings(store, project, model_id, base.dataset_version, base.dim, REFERENCE_ROWS)
        return summarise_embeddings(rows, method)

    key = (project, model_id, base.dataset_version, base.dim, base.count, method)
    return EmbeddingWindow(base, current, method, EMBEDDING_SUMMARIES.get(key, summarise))
