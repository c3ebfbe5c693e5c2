"""One window of one monitor, scored: every drift type, their trends, the model's verdict and the rows
to store. Pure: the caller reads the window, the labels, the vectors and the past severities first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from workers.analysis.drift.monitor.config import MonitorConfig
from workers.analysis.drift.monitor.reference_set import ReferenceSet
from workers.analysis.drift.monitor.scoring import (
    EmbeddingWindow,
    ResultRow,
    ScoredWindow,
    score_concept,
    score_embedding,
    score_features,
    score_prediction,
)
from workers.analysis.drift.monitor.window import LabelledRows, WindowRows
from workers.analysis.drift.severity import WARNING_SEVERITY
from workers.analysis.drift.trend import score_trend
from workers.analysis.drift.types import DriftType, FeatureType
from workers.analysis.drift.verdict import Signal, model_verdict

TREND_WINDOWS = 12  # a type's trend is fitted over this many windows, the scored one included


@dataclass
class ScoredRun:
    """What a scored window yields; `rows` is empty when no drift type had anything to score."""

    n_rows: int
    skipped: dict[str, str]
    rows: list[ResultRow] = field(default_factory=list)
    status: str | None = None
    severity: float | None = None
    drifted_types: list[str] = field(default_factory=list)
    drifted_features: list[str] = field(default_factory=list)


def read_columns(config: MonitorConfig, reference: ReferenceSet) -> list[tuple[str, FeatureType]]:
    """The feature columns a window must provide: the monitor's list (else the reference's), typed by it."""
    names = list(config.features) or sorted(reference.features)
    return [(n, reference.features[n].feature_type) for n in names if n in reference.features]


def score_window(
    config: MonitorConfig,
    reference: ReferenceSet,
    reference_key: str,
    rows: WindowRows,
    labelled: LabelledRows | None,
    embedding: EmbeddingWindow | str,
    past: Mapping[str, Sequence[float]],
) -> ScoredRun:
    """Score the window; `past` holds each drift type's previous severities, oldest first (for trends)."""
    scored = ScoredWindow()
    score_features(scored, reference_key, reference, rows, config)
    score_prediction(scored, reference_key, reference, rows, config)
    score_concept(scored, reference, rows, labelled, config)
    score_embedding(scored, embedding, config)
    run = ScoredRun(rows.total_rows, dict(scored.skipped))
    if not scored.types:
        return run
    scores = {}
    for kind, (type_score, row) in scored.types.items():
        trend = score_trend([*list(past.get(kind, ()))[-(TREND_WINDOWS - 1) :], type_score.score])
        row.details["trend"] = trend.trend.value
        row.details["trend_slope"] = trend.slope
        scores[kind] = type_score.score
    flags = {kind: type_score.is_drifted for kind, (type_score, _) in scored.types.items()}
    verdict = model_verdict(
        {kind: type_score for kind, (type_score, _) in scored.types.items()},
        [Signal(DriftType.FEATURE, row.feature, row.severity, row.drifted) for row in scored.features],
    )
    status, combined = verdict.status, verdict.severity
    strongest = verdict.strongest.to_dict() if verdict.strongest is not None else None
    overall = ResultRow(
        "overall", "", "", "severity", combined, None, status == "drifted", WARNING_SEVERITY, combined,
        n_current=run.n_rows,
        details={"status": status, "types": {k: {"score": s, "drifted": flags[k]} for k, s in scores.items()},
                 "drifted_features": scored.drifted_features, "skipped": scored.skipped,
                 "combined": verdict.combined, "strongest": strongest},
    )  # fmt: skip
    run.rows = [*scored.features, *(row for _, row in scored.types.values()), overall]
    run.status, run.severity = status, combined
    run.drifted_types = sorted(kind for kind, flag in flags.items() if flag)
    run.drifted_features = scored.drifted_features
    return run
