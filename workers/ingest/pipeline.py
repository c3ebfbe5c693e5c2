"""The ingest pipeline, assembled in one place for `pyflare ingest` (Kafka) and `pyflare serve` (intake queue).

decode (the loop) → price → GenAI content from log records → notify live subscribers → write → commit
(the loop, only after the write succeeded). The entry points choose the source, the dead-letter sink,
the storage writer and the Channels sender; the order of the stages is decided here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workers.ingest.admission import KeyAdmission
from workers.ingest.content import SpanContentWriter
from workers.ingest.loop import IngestLoop
from workers.ingest.notify import Publish, TraceNotifier
from workers.ingest.ports import BatchWriter, DeadLetterSink, MessageSource
from workers.ingest.pricing import PricingWriter, SpanPricing
from workers.telemetry.batches import NormaliseOptions


@dataclass(frozen=True)
class BatchLimits:
    max_rows: int
    max_seconds: float
    poll_timeout_ms: int


@dataclass
class IngestPipeline:
    loop: IngestLoop
    pricing: SpanPricing
    notifier: TraceNotifier | None  # None when nobody can be told (no Channels layer reachable)


def writer_chain(
    storage: BatchWriter, *, pricing: SpanPricing, preview_chars: int, publish: Publish | None
) -> tuple[BatchWriter, TraceNotifier | None]:
    """price → content → notify → write: the outermost writer, and the notifier when there is one."""
    notifier = TraceNotifier(storage, publish) if publish is not None else None
    content = SpanContentWriter(notifier or storage, preview_chars)
    return PricingWriter(content, pricing), notifier


def build_pipeline(
    source: MessageSource,
    storage: BatchWriter,
    dead_letters: DeadLetterSink,
    *,
    topics: Mapping[str, str],
    options: NormaliseOptions,
    limits: BatchLimits,
    publish: Publish | None,
    pricing: SpanPricing | None = None,
    admission: KeyAdmission | None = None,  # None: the source admitted its messages (serve)
) -> IngestPipeline:
    """The ingest loop over `source` with the whole writer chain in front of `storage`."""
    # Prices come from the control plane's overrides, read lazily on the first batch with usage.
    pricing = pricing or SpanPricing.from_env()
    writer, notifier = writer_chain(storage, pricing=pricing, preview_chars=options.preview_chars, publish=publish)
    loop = IngestLoop(
        source, writer, dead_letters, topics=topics, options=options, batch_max_rows=limits.max_rows,
        batch_max_seconds=limits.max_seconds, poll_timeout_ms=limits.poll_timeout_ms, admission=admission,
    )  # fmt: skip
    return IngestPipeline(loop, pricing, notifier)
