"""The drift job, thin: the monitor's settings from the ORM -> the window's data (workers/storage/drift)
-> the pure `score_window` (workers/analysis/drift/monitor) -> `drift_results` -> raise or clear the alert.

Scheduled runs take consecutive windows: a run at T scores [previous window end, T) when that end
is recent, else [T - window, T); a window never reaches back into the reference's own window (a
reference taken from live traffic is not compared with itself). The window is claimed on the
monitor with a compare-and-set before scoring, so two workers never score it twice. Manual runs
("run now") score [now - window, now) or the window they are given and leave the schedule alone.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from clickhouse_connect.driver.client import Client
from django.utils import timezone

from webapp.drift.config import monitor_config
from webapp.drift.embeddings import read_embeddings
from webapp.drift.models import DriftMonitor
from webapp.drift.store import load_reference, reference_key
from workers.analysis.drift import DriftType
from workers.analysis.drift.monitor import EmbeddingWindow, ScoredRun, WindowSpec, read_columns, score_window
from workers.analysis.drift.monitor.score import TREND_WINDOWS
from workers.analysis.drift.monitor.window import NS, from_ns, to_ns
from workers.storage.drift.results import RunKey, type_severities, write_rows
from workers.storage.drift.windows import read_labelled, read_window
from workers.storage.vectors import VectorStore

log = logging.getLogger("pyflare.drift")


@dataclass
class RunOutcome:
    monitor_id: int
    model_id: str
    window_start_ns: int
    window_end_ns: int
    status: str  # "scored" | "skipped" | "claimed_elsewhere"
    reason: str = ""
    run_id: str | None = None
    n_rows: int = 0
    overall_status: str | None = None
    severity: float | None = None
    drifted_types: list[str] = field(default_factory=list)
    drifted_features: list[str] = field(default_factory=list)
    skipped_types: dict[str, str] = field(default_factory=dict)
    alert: str | None = None  # "fired" | "ongoing" | "resolved" | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


AlertHook = Callable[[DriftMonitor, RunOutcome, Client], str | None]


def scheduled_window(monitor: DriftMonitor, now_ns: int) -> tuple[int, int]:
    now_ns -= now_ns % 1000  # the monitor stores window ends in microseconds
    width = monitor.window_seconds * NS
    start = now_ns - width
    if monitor.last_window_end is not None:
        last = to_ns(monitor.last_window_end)
        if now_ns - 2 * width <= last < now_ns:
            start = last
    return _after_reference(monitor, start), now_ns


def _after_reference(monitor: DriftMonitor, start_ns: int) -> int:
    reference = monitor.reference
    if reference is not None and reference.source == "window" and reference.window_end is not None:
        return max(start_ns, to_ns(reference.window_end))
    return start_ns


def is_due(monitor: DriftMonitor, now_ns: int) -> bool:
    if not monitor.enabled or monitor.reference_id is None:
        return False
    if monitor.last_window_end is None:
        return True
    return now_ns - to_ns(monitor.last_window_end) >= monitor.window_seconds * NS


def claim_window(monitor: DriftMonitor, end_ns: int) -> bool:
    """Advance the monitor's last window end from what we read to `end_ns`; False if someone else did."""
    claimed = DriftMonitor.objects.filter(pk=monitor.pk, last_window_end=monitor.last_window_end).update(
        last_window_end=from_ns(end_ns)
    )
    if claimed:
        monitor.last_window_end = from_ns(end_ns)
    return bool(claimed)


def read_and_score(
    monitor: DriftMonitor, spec: WindowSpec, client: Client, vectors: VectorStore | None
) -> ScoredRun:
    """Read everything the window's scoring needs (settings, reference, rows, labels, vectors, past
    severities) and score it."""
    config = monitor_config(monitor)
    stored = monitor.reference
    assert stored is not None
    reference = load_reference(stored)
    rows = read_window(client, spec, read_columns(config, reference), config.max_window_rows)
    labelled = read_labelled(client, spec, config.max_window_rows) if reference.labels is not None else None
    embedding: EmbeddingWindow | str
    if reference.embedding is None:
        embedding = "the reference has no embeddings"
    elif vectors is None:
        embedding = "no vector store configured"
    else:
        embedding = read_embeddings(vectors, spec, reference.embedding, config)
    past = type_severities(client, spec.project, spec.model_id, list(DriftType), TREND_WINDOWS - 1)
    return score_window(config, reference, reference_key(stored), rows, labelled, embedding, past)


def run_window(
    monitor: DriftMonitor,
    start_ns: int,
    end_ns: int,
    *,
    client: Client,
    vectors: VectorStore | None,
    alert_hook: AlertHook | None = None,
    now_ns: int | None = None,
) -> RunOutcome:
    """Score [start_ns, end_ns) for the monitor and record everything; no schedule bookkeeping."""
    spec = WindowSpec(monitor.project.slug, monitor.model_id, start_ns, end_ns)
    outcome = RunOutcome(monitor.pk, monitor.model_id, start_ns, end_ns, "skipped")
    if monitor.reference_id is None:
        outcome.reason = "the monitor has no reference yet"
        return outcome
    scored = read_and_score(monitor, spec, client, vectors)
    outcome.n_rows, outcome.skipped_types = scored.n_rows, dict(scored.skipped)
    if not scored.rows:
        outcome.reason = "nothing to score in the window: " + "; ".join(f"{k}: {v}" for k, v in scored.skipped.items())
        _record_status(monitor, "skipped")
        return outcome
    run_id = str(uuid.uuid4())
    key = RunKey(spec.project, spec.model_id, monitor.pk, run_id, (now_ns or time.time_ns()) // 1_000_000,
                 start_ns // 1_000_000, end_ns // 1_000_000)  # fmt: skip
    write_rows(client, key, scored.rows)
    outcome.status, outcome.run_id, outcome.overall_status, outcome.severity = (
        "scored", run_id, scored.status, scored.severity
    )
    outcome.drifted_types, outcome.drifted_features = scored.drifted_types, scored.drifted_features
    _record_status(monitor, scored.status or "skipped")
    if alert_hook is not None:
        outcome.alert = alert_hook(monitor, outcome, client)
    return outcome


def _record_status(monitor: DriftMonitor, status: str) -> None:
    now = timezone.now()
    DriftMonitor.objects.filter(pk=monitor.pk).update(last_run_at=now, last_status=status)
    monitor.last_run_at, monitor.last_status = now, status


def run_scheduled(
    monitor: DriftMonitor,
    now_ns: int,
    *,
    client: Client,
    vectors: VectorStore | None,
    alert_hook: AlertHook | None = None,
) -> RunOutcome:
    """The beat's run of one monitor: its next window, claimed so that it is scored once."""
    start, end = scheduled_window(monitor, now_ns)
    previous = monitor.last_window_end
    if not claim_window(monitor, end):
        return RunOutcome(monitor.pk, monitor.model_id, start, end, "claimed_elsewhere", "another run took this window")
    try:
        return run_window(monitor, start, end, client=client, vectors=vectors, alert_hook=alert_hook, now_ns=now_ns)
    except Exception:
        # give the window back (if nobody moved on since) so the next dispatch scores it again
        DriftMonitor.objects.filter(pk=monitor.pk, last_window_end=from_ns(end)).update(last_window_end=previous)
        monitor.last_window_end = previous
        raise


def manual_window(monitor: DriftMonitor, now_ns: int, start_ns: int | None, end_ns: int | None) -> tuple[int, int]:
    end = end_ns if end_ns is not None else now_ns
    start = start_ns if start_ns is not None else _after_reference(monitor, end - monitor.window_seconds * NS)
    return start, end
