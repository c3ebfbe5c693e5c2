"""Signal name -> batch class; the ingest loop picks the batch for a topic from here.

The options and the embedding record type are re-exported so callers need one import.
"""

from __future__ import annotations

from workers.telemetry.batch import OtlpBatch
from workers.telemetry.logs import LogBatch
from workers.telemetry.metrics import MetricBatch
from workers.telemetry.options import EmbeddingRecord, NormaliseOptions
from workers.telemetry.traces import TraceBatch

__all__ = ["BATCHES", "EmbeddingRecord", "LogBatch", "MetricBatch", "NormaliseOptions", "TraceBatch", "batch_for"]

BATCHES: dict[str, type[OtlpBatch]] = {"traces": TraceBatch, "metrics": MetricBatch, "logs": LogBatch}


def batch_for(signal: str) -> type[OtlpBatch]:
    try:
        return BATCHES[signal]
    except KeyError:
        raise ValueError(f"unknown signal {signal!r}; valid: {', '.join(BATCHES)}") from None
