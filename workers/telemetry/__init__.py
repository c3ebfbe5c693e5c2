"""Telemetry model: OTLP decoding and normalisation into Arrow batches (docs/ingestion.md, "Normalisation").

`BATCHES[signal](options)` gives a batch; `add_otlp(payload)` decodes and normalises one export
request; `to_arrow()` returns a table with the schema in `columns`. Names load on first use, so
importing `workers.telemetry.columns` alone stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "BATCHES": "workers.telemetry.batches",
    "TraceBatch": "workers.telemetry.traces",
    "MetricBatch": "workers.telemetry.metrics",
    "LogBatch": "workers.telemetry.logs",
    "NormaliseOptions": "workers.telemetry.options",
    "EmbeddingRecord": "workers.telemetry.options",
    "DecodeError": "workers.telemetry.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
