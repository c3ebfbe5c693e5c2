"""A reference taken from a past window of live traffic: the window's rows (storage) made into a
reference (pure), and the window's embeddings copied into the reference collection as a dataset version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clickhouse_connect.driver.client import Client

from workers.analysis.drift.monitor.from_rows import feature_columns, reference_from_rows
from workers.analysis.drift.monitor.reference_set import EmbeddingBase, ReferenceSet
from workers.analysis.drift.monitor.window import WindowSpec
from workers.storage.drift.vectors import reference_count, store_reference, window_embeddings
from workers.storage.drift.windows import discover_features, embedding_dim, read_labelled, read_window
from workers.storage.vectors import VectorStore

EMBEDDING_ROWS = 5000


def window_embedding_base(client: Client, vectors: VectorStore, spec: WindowSpec) -> EmbeddingBase | None:
    dim = embedding_dim(client, spec)
    if dim is None:
        return None
    version = f"window-{spec.start_ns}-{spec.end_ns}"
    count = reference_count(vectors, spec.project, spec.model_id, version, dim)
    if count == 0:  # the same window taken twice reuses its copy
        found = window_embeddings(vectors, spec.project, spec.model_id, dim, spec.start_ns, spec.end_ns, EMBEDDING_ROWS)
        if found.shape[0] == 0:
            return None
        store_reference(vectors, spec.project, spec.model_id, version, found)
        count = int(found.shape[0])
    return EmbeddingBase(version, dim, count)


def reference_from_window(
    client: Client,
    vectors: VectorStore | None,
    spec: WindowSpec,
    *,
    listed: Sequence[str] = (),
    declared: Mapping[str, str] | None = None,
    max_rows: int = 200_000,
) -> ReferenceSet:
    columns = feature_columns(discover_features(client, spec), listed, declared or {})
    rows = read_window(client, spec, columns, max_rows)
    result = reference_from_rows(rows, columns, read_labelled(client, spec, max_rows))
    if vectors is not None:
        result.embedding = window_embedding_base(client, vectors, spec)
    return result
