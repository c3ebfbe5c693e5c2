"""The drift job: read a monitor's window, score it, write `drift_results`, raise or clear the alert.

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
from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client
from django.utils import timezone

from webapp.drift.config import MonitorConfig
from webapp.drift.embedding_drift import embedding_result
from webapp.drift.models import DriftMonitor
from webapp.drift.results import RunKey, type_severities, write_rows
from webapp.drift.scoring import (
    ResultRow,
    ScoredWindow,
    score_concept,
    score_embedding,
    score_features,
    score_prediction,
)
from webapp.drift.store import load_reference, reference_key
from webapp.drift.window import WindowSpec, read_labelled, read_window
from workers.analysis.drift import Signal, model_verdict, score_trend
from workers.analysis.drift.severity import WARNING_SEVERITY
from workers.storage.vectors import VectorStore

log = logging.getLogger("pyflare.drift")
TREND_WINDOWS = 12
NS = 1_000_000_000


def to_ns(moment: datetime) -> int:
    return int(moment.timestamp()) * NS + moment.microsecond * 1000


def from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // NS, tz=UTC).replace(microsecond=(ns % NS) // 1000)


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


AlertHook = Callable[[DriftMonitor, RunOutcome], str | None]


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


def _with_trends(client: Client, spec: WindowSpec, scored: ScoredWindow) -> dict[str, float]:
    scores = {}
    for kind, (type_score, row) in scored.types.items():
        past = type_severities(client, spec.project, spec.model_id, kind, TREND_WINDOWS - 1)
        trend = score_trend([*past, type_score.score])
        row.details["trend"] = trend.trend.value
        row.details["trend_slope"] = trend.slope
        scores[kind] = type_score.score
    return scores


def score_window(
    monitor: DriftMonitor, spec: WindowSpec, client: Client, vectors: VectorStore | None
) -> tuple[ScoredWindow, int]:
    config = MonitorConfig.of(monitor)
    stored = monitor.reference
    assert stored is not None
    reference = load_reference(stored)
    names = list(config.features) or sorted(reference.features)
    columns = [(n, reference.features[n].feature_type) for n in names if n in reference.features]
    rows = read_window(client, spec, columns, config.max_window_rows)
    scored = ScoredWindow()
    key = reference_key(stored)
    score_features(scored, key, reference, rows, config)
    score_prediction(scored, key, reference, rows, config)
    labelled = read_labelled(client, spec, config.max_window_rows) if reference.labels is not None else None
    score_concept(scored, reference, rows, labelled, config)
    if reference.embedding is None:
        scored.skipped["embedding"] = "the reference has no embeddings"
    elif vectors is None:
        scored.skipped["embedding"] = "no vector store configured"
    else:
        result, n_ref, n_cur, reason = embedding_result(
            vectors, spec.project, spec.model_id, reference.embedding, (spec.start_ns, spec.end_ns), config
        )
        score_embedding(scored, result, n_ref, n_cur, reason)
    return scored, rows.total_rows


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
    scored, outcome.n_rows = score_window(monitor, spec, client, vectors)
    outcome.skipped_types = dict(scored.skipped)
    if not scored.types:
        outcome.reason = "nothing to score in the window: " + "; ".join(f"{k}: {v}" for k, v in scored.skipped.items())
        _record_status(monitor, "skipped")
        return outcome
    scores = _with_trends(client, spec, scored)
    flags = {kind: type_score.is_drifted for kind, (type_score, _) in scored.types.items()}
    verdict = model_verdict(
        {kind: type_score for kind, (type_score, _) in scored.types.items()},
        [Signal("feature", row.feature, row.severity, row.drifted) for row in scored.features],
    )
    status, combined = verdict.status, verdict.severity
    strongest = verdict.strongest.to_dict() if verdict.strongest is not None else None
    overall = ResultRow(
        "overall", "", "", "severity", combined, None, status == "drifted", WARNING_SEVERITY, combined,
        n_current=outcome.n_rows,
        details={"status": status, "types": {k: {"score": s, "drifted": flags[k]} for k, s in scores.items()},
                 "drifted_features": scored.drifted_features, "skipped": scored.skipped,
                 "combined": verdict.combined, "strongest": strongest},
    )  # fmt: skip
    rows = [*scored.features, *(row for _, row in scored.types.values()), overall]
    run_id = str(uuid.uuid4())
    key = RunKey(spec.project, spec.model_id, monitor.pk, run_id, (now_ns or time.time_ns()) // 1_000_000,
                 start_ns // 1_000_000, end_ns // 1_000_000)  # fmt: skip
    write_rows(client, key, rows)
    outcome.status, outcome.run_id, outcome.overall_status, outcome.severity = "scored", run_id, status, combined
    outcome.drifted_types = sorted(kind for kind, flag in flags.items() if flag)
    outcome.drifted_features = scored.drifted_features
    _record_status(monitor, status)
    if alert_hook is not None:
        outcome.alert = alert_hook(monitor, outcome)
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
