"""A BatchWriter wrapper that keeps the GenAI content of log records for their spans.

After a logs batch is written, the records that carry prompt or completion text (openai-v2 and
other instrumentations that log content instead of putting it on the span) are written again as
`span_content` rows, in the same flush: a re-delivered batch rewrites both, and the rows collapse.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from workers.ingest.ports import BatchWriter
from workers.telemetry.batches import EmbeddingRecord
from workers.telemetry.log_content import content_table

CONTENT_SIGNAL = "span_content"  # derived rows the sink stores in the `span_content` table


class SpanContentWriter:
    def __init__(self, inner: BatchWriter, preview_chars: int) -> None:
        self._inner = inner
        self._preview_chars = preview_chars

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        self._inner.write(signal, table, embeddings)
        if signal == "logs" and table.num_rows:
            content = content_table(table, self._preview_chars)
            if content is not None:
                self._inner.write(CONTENT_SIGNAL, content, ())
