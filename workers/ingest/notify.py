"""New-trace notifications: a `BatchWriter` wrapper that announces the traces of each stored batch.

A trace is announced when its root span is stored (the root ends last, so the trace is complete),
with the models and error state of all its spans — also those stored in earlier batches, which are
remembered for a while. Events go to one Channels group per project; websocket consumers filter by
their subscriptions, so nothing reaches another project's subscribers. Both ingest entry points get it
from `workers/ingest/pipeline.py`; `publish` is a Channels layer sender (webapp/realtime/publisher.py):
the in-memory layer in `pyflare serve`, the Redis layer in `pyflare ingest` (scale mode).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from workers.ingest.ports import BatchWriter
from workers.telemetry.batches import EmbeddingRecord

log = logging.getLogger("pyflare.ingest")

Publish = Callable[[str, dict[str, Any]], None]
TRACE_MESSAGE_TYPE = "trace.notification"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")  # Channels handler: LiveConsumer.trace_notification
_ROOT_COLUMNS = ["project", "trace_id", "name", "service_name", "model_id", "status_code", "start_time", "duration_ns"]


def trace_group(project: str) -> str:
    """The Channels group of a project's trace events.

    Project slugs are valid group names; any other `pyflare.project` text a sender chose is hashed
    so it still gets a group of its own (Channels allows only [a-zA-Z0-9._-], under 100 characters).
    """
    if _SLUG.match(project):
        return f"pyflare.traces.{project}"
    return f"pyflare.traces.sha256.{hashlib.sha256(project.encode()).hexdigest()[:32]}"  # no slug has a dot


def _iso(ns: int) -> str:
    """UTC ISO 8601 of a nanosecond timestamp, cut to microseconds with integer arithmetic."""
    seconds, rest = divmod(ns, 10**9)
    moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest // 1000)
    return moment.isoformat().replace("+00:00", "Z")


class _TraceMemory:
    """Models and error state of traces whose root has not been stored yet (bounded, oldest first out)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._traces: OrderedDict[str, tuple[list[str], bool]] = OrderedDict()

    def merge(self, trace_id: str, models: list[str], error: bool) -> None:
        old_models, old_error = self._traces.pop(trace_id, ([], False))
        self._traces[trace_id] = (list(dict.fromkeys([*old_models, *models])), old_error or error)
        while len(self._traces) > self._size:
            self._traces.popitem(last=False)

    def take(self, trace_id: str) -> tuple[list[str], bool]:
        return self._traces.pop(trace_id, ([], False))


def trace_events(table: pa.Table, memory: _TraceMemory) -> list[tuple[str, dict[str, Any]]]:
    """(project, event) for every trace whose root span is in `table`, in the seed's TraceNotification shape."""
    models: dict[str, list[str]] = {}
    slim = table.select(["trace_id", "model_id", "status_code"])  # filter narrow columns, not the maps
    with_model = slim.filter(pc.not_equal(slim["model_id"], ""))
    for trace_id, model in zip(with_model["trace_id"].to_pylist(), with_model["model_id"].to_pylist(), strict=True):
        models.setdefault(trace_id, [])
        if model not in models[trace_id]:
            models[trace_id].append(model)
    errors = set(slim.filter(pc.equal(slim["status_code"], "error"))["trace_id"].to_pylist())
    roots = table.select(_ROOT_COLUMNS).filter(pc.equal(table["parent_span_id"], ""))
    root_ids = set(roots["trace_id"].to_pylist())
    for trace_id in set(models) | errors:
        if trace_id not in root_ids:
            memory.merge(trace_id, models.get(trace_id, []), trace_id in errors)

    start_ns = pc.cast(roots["start_time"], pa.int64()).to_pylist()
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    events = []
    for row, start in zip(roots.to_pylist(), start_ns, strict=True):
        trace_id = row["trace_id"]
        earlier_models, earlier_error = memory.take(trace_id)
        candidates = [row["model_id"], *models.get(trace_id, []), *earlier_models]
        trace_models = [m for m in dict.fromkeys(candidates) if m]
        error = earlier_error or trace_id in errors
        events.append(
            (
                row["project"],
                {
                    "type": "trace",
                    "payload": {
                        "trace_id": trace_id,
                        "model_id": trace_models[0] if trace_models else "",
                        "models": trace_models,
                        "status": "error" if error else "ok",
                        "duration_ms": row["duration_ns"] / 1e6,
                        "timestamp": _iso(start),
                        "root_name": row["name"],
                        "service": row["service_name"],
                        "project": row["project"],
                    },
                    "timestamp": now,
                },
            )
        )
    return events


class TraceNotifier:
    """Writes through to `inner`, then publishes the batch's new traces (never failing the write)."""

    def __init__(self, inner: BatchWriter, publish: Publish, *, remember_traces: int = 10_000) -> None:
        self._inner = inner
        self._publish = publish
        self._memory = _TraceMemory(remember_traces)
        self.published = 0

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        self._inner.write(signal, table, embeddings)
        if signal != "traces" or table.num_rows == 0:
            return
        # The batch is stored: a failed announcement must never make the loop write it again.
        try:
            events = trace_events(table, self._memory)
        except Exception:
            log.exception("reading the traces of %d stored spans for live subscribers failed", table.num_rows)
            return
        for project, event in events:
            try:
                self._publish(trace_group(project), {"type": TRACE_MESSAGE_TYPE, "event": event})
                self.published += 1
            except Exception as exc:
                log.warning("live notification of trace %s not sent: %s", event["payload"]["trace_id"], exc)
