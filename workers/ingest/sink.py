"""The batch writer of the ingest loop: rows to ClickHouse, embedding vectors to Qdrant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pyarrow as pa

from workers.storage.vectors import VectorPoint, VectorStore, embedding_collection, embedding_point_id
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import EmbeddingRecord
from workers.telemetry.columns import SIGNALS

# Rows derived from a signal on the ingest path (workers.ingest.pricing) -> their table.
DERIVED_TABLES = {"costs": "costs", "span_content": "span_content"}


class StorageSink:
    def __init__(self, writer: ClickHouseWriter, vectors: VectorStore | None) -> None:
        self._writer = writer
        self._vectors = vectors
        self._collections: set[str] = set()

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        self._writer.write(SIGNALS[signal][0] if signal in SIGNALS else DERIVED_TABLES[signal], table)
        if embeddings and self._vectors is not None:
            self._write_vectors(embeddings)

    def _write_vectors(self, embeddings: Sequence[EmbeddingRecord]) -> None:
        by_collection: dict[str, list[VectorPoint]] = defaultdict(list)
        for e in embeddings:
            by_collection[embedding_collection(len(e.vector))].append(
                VectorPoint(
                    id=embedding_point_id(e.span_id),
                    vector=e.vector,
                    payload={
                        "project": e.project,
                        "model_id": e.model_id,
                        "trace_id": e.trace_id,
                        "span_id": e.span_id,
                        "time": e.time_unix_nano,
                        "embedding_type": e.embedding_type,
                    },
                )
            )
        for name, points in by_collection.items():
            if name not in self._collections:
                self._vectors.ensure_collection(name, len(points[0].vector))  # type: ignore[union-attr]
                self._collections.add(name)
            self._vectors.upsert(name, points)  # type: ignore[union-attr]
