"""Entry points of the drift job for tasks and the API: which monitors are due, run one scheduled or now.

Each takes its ClickHouse client and vector store as arguments with the process defaults (the
telemetry client and the environment's Qdrant) when omitted, so tests pass the real ones they built.
"""

from __future__ import annotations

import time

from clickhouse_connect.driver.client import Client

from webapp.api.providers import providers
from webapp.api.telemetry import telemetry_client
from webapp.drift.alerting import drift_alert_hook
from webapp.drift.job import RunOutcome, is_due, manual_window, run_scheduled, run_window
from webapp.drift.models import DriftMonitor
from workers.storage.vectors import VectorStore


def due_monitor_ids(now_ns: int | None = None) -> list[int]:
    now = now_ns if now_ns is not None else time.time_ns()
    monitors = DriftMonitor.objects.filter(enabled=True, reference__isnull=False).select_related("reference")
    return [m.pk for m in monitors if is_due(m, now)]


def _monitor(monitor_id: int) -> DriftMonitor | None:
    return DriftMonitor.objects.select_related("project", "reference").filter(pk=monitor_id).first()


def run_due(
    monitor_id: int, now_ns: int | None = None, *, client: Client | None = None, vectors: VectorStore | None = None
) -> RunOutcome | None:
    """The scheduled run of one monitor (None if it was deleted, disabled or is no longer due)."""
    now = now_ns if now_ns is not None else time.time_ns()
    monitor = _monitor(monitor_id)
    if monitor is None or not is_due(monitor, now):
        return None
    return run_scheduled(
        monitor, now, client=client or telemetry_client(), vectors=vectors or _optional_vectors(),
        alert_hook=drift_alert_hook,
    )  # fmt: skip


def run_now(
    monitor: DriftMonitor,
    start_ns: int | None = None,
    end_ns: int | None = None,
    *,
    now_ns: int | None = None,
    client: Client | None = None,
    vectors: VectorStore | None = None,
) -> RunOutcome:
    now = now_ns if now_ns is not None else time.time_ns()
    start, end = manual_window(monitor, now, start_ns, end_ns)
    return run_window(
        monitor, start, end, client=client or telemetry_client(), vectors=vectors or _optional_vectors(),
        alert_hook=drift_alert_hook, now_ns=now,
    )  # fmt: skip


def _optional_vectors() -> VectorStore | None:
    # Embedding drift is skipped (with the reason) rather than failing the whole run.
    try:
        return providers.vector_store()
    except Exception:
        return None
