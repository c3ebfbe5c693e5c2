"""Scoring one window against a reference: feature, prediction, embedding and concept drift.

Pure apart from the caches: inputs are the monitor's settings, the reference and the window's data
already read (vectors included); the output is the rows for `drift_results` plus one score per drift type. A drift
type without data (no reference part, or fewer than `min_samples` current values) is reported under
`skipped` with the reason instead of a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workers.analysis.drift.charts import histogram_pair
from workers.analysis.drift.concept_drift import (
    ConceptDrift,
    concept_drift_from_joint,
    concept_drift_from_labels,
    joint_drift,
    performance_drop,
)
from workers.analysis.drift.feature_drift import feature_drift
from workers.analysis.drift.monitor.config import MonitorConfig, feature_reference, prediction_reference
from workers.analysis.drift.monitor.from_rows import joint_rows, labels_of, prediction_values
from workers.analysis.drift.monitor.reference_set import EmbeddingBase, JointBase, LabelBase, ReferenceSet
from workers.analysis.drift.monitor.window import LabelledRows, WindowRows
from workers.analysis.drift.registry import get_test
from workers.analysis.drift.severity import DriftTypeScore, magnitude, result_score
from workers.analysis.drift.summaries import Summary
from workers.analysis.drift.types import DriftConfigError, DriftType, FeatureType, TestResult


@dataclass
class ResultRow:
    """One row of drift_results (times and ids are added when the run is written)."""

    drift_type: str
    feature: str
    feature_type: str
    method: str
    score: float | None
    p_value: float | None
    drifted: bool
    threshold: float
    severity: float
    n_reference: int = 0
    n_current: int = 0
    histogram: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EmbeddingWindow:
    """The window's live vectors and the reference dataset's summary (None: not read, or empty)."""

    base: EmbeddingBase
    current: np.ndarray
    method: str
    reference: Summary | None = None


@dataclass
class ScoredWindow:
    features: list[ResultRow] = field(default_factory=list)
    types: dict[str, tuple[DriftTypeScore, ResultRow]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def drifted_features(self) -> list[str]:
        return [row.feature for row in self.features if row.drifted]


def _finite(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _present(values: Any) -> int:
    if values is None:  # the feature was not read (an empty window)
        return 0
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return int(np.isfinite(values).sum())
    return sum(1 for v in values if v is not None)


def _chart(summary: Summary, values: Any) -> dict[str, Any] | None:
    try:
        return histogram_pair(summary, values)
    except DriftConfigError:
        return None


def _row(drift_type: str, feature: str, kind: str, result: TestResult, **extra: Any) -> ResultRow:
    return ResultRow(
        drift_type, feature, kind, result.method, _finite(result.score), _finite(result.p_value), result.drifted,
        result.threshold, magnitude(result), details=dict(result.details), **extra,
    )  # fmt: skip


def score_features(out: ScoredWindow, ref_id: str, ref: ReferenceSet, rows: WindowRows, config: MonitorConfig) -> None:
    names = list(config.features) or sorted(ref.features)
    if not names:
        out.skipped[DriftType.FEATURE] = "the reference has no features"
        return
    references, errors = [], {}
    for name in names:
        base = ref.features.get(name)
        if base is None:
            errors[name] = "not in the reference"
            continue
        try:
            references.append(feature_reference(ref_id, name, base, config, rows.n_rows))
        except DriftConfigError as exc:
            errors[name] = str(exc)
    current = {
        r.feature: rows.feature(r.feature)
        for r in references
        if _present(rows.feature(r.feature)) >= config.min_samples
    }
    if not current:
        out.skipped[DriftType.FEATURE] = f"fewer than {config.min_samples} values for every feature in the window"
        return
    report = feature_drift([r for r in references if r.feature in current], current, drift_share=config.drift_share)
    errors |= report.errors
    for name, result in report.results.items():
        base = ref.features[name]
        out.features.append(
            _row(DriftType.FEATURE, name, base.feature_type.value, result, n_reference=base.summary.count,
                 n_current=_present(current[name]), histogram=_chart(base.summary, current[name]))
        )  # fmt: skip
    type_score = report.type_score()
    too_few = [n for n in names if n not in current and n not in errors]
    row = ResultRow(
        DriftType.FEATURE, "", "", "share_drifted", report.share_drifted, None, report.drifted, config.drift_share,
        report.share_drifted, n_current=rows.n_rows,
        details={"drifted_features": report.drifted_features, "errors": errors, "too_few_values": too_few,
                 "type_threshold": config.drift_share, "breakdown": type_score.feature_breakdown},
    )  # fmt: skip
    out.types[DriftType.FEATURE] = (type_score, row)


def score_prediction(
    out: ScoredWindow, ref_id: str, ref: ReferenceSet, rows: WindowRows, config: MonitorConfig
) -> None:
    if ref.prediction is None:
        out.skipped[DriftType.PREDICTION] = "the reference has no predictions"
        return
    values = prediction_values(rows, ref.prediction.source)
    if _present(values) < config.min_samples:
        out.skipped[DriftType.PREDICTION] = f"fewer than {config.min_samples} predictions in the window"
        return
    try:
        reference = prediction_reference(ref_id, ref.prediction, config, rows.n_rows)
        result = reference.score(values)
    except DriftConfigError as exc:
        out.skipped[DriftType.PREDICTION] = str(exc)
        return
    summary = ref.prediction.summary
    row = _row(DriftType.PREDICTION, "", ref.prediction.feature_type.value, result, n_reference=summary.count,
               n_current=_present(values), histogram=_chart(summary, values))  # fmt: skip
    row.details |= {"source": ref.prediction.source, "type_threshold": 0.5}
    out.types[DriftType.PREDICTION] = (result_score(result), row)


def summarise_embeddings(rows: np.ndarray, method: str) -> Summary | None:
    """The reference dataset's summary for `method` (None when the dataset holds no vectors)."""
    return get_test(method).summarise(rows, feature_type=FeatureType.EMBEDDING) if rows.shape[0] else None


def score_embedding(out: ScoredWindow, embedding: EmbeddingWindow | str, config: MonitorConfig) -> None:
    """`embedding`: the window's vectors, or why there are none to score."""
    if isinstance(embedding, str):
        out.skipped[DriftType.EMBEDDING] = embedding
        return
    base, n_current = embedding.base, int(embedding.current.shape[0])
    if n_current < config.min_samples:
        out.skipped[DriftType.EMBEDDING] = f"fewer than {config.min_samples} {base.dim}-d embeddings in the window"
        return
    if embedding.reference is None:
        out.skipped[DriftType.EMBEDDING] = (
            f"the reference dataset {base.dataset_version!r} holds no {base.dim}-d vectors"
        )
        return
    try:
        result = get_test(embedding.method).score(embedding.reference, embedding.current, config.embedding_threshold)
    except DriftConfigError as exc:
        out.skipped[DriftType.EMBEDDING] = str(exc)
        return
    row = _row(DriftType.EMBEDDING, "", FeatureType.EMBEDDING.value, result, n_reference=embedding.reference.count,
               n_current=n_current)  # fmt: skip
    row.details["type_threshold"] = 0.5
    out.types[DriftType.EMBEDDING] = (result_score(result), row)


def _label_pairs(labels: LabelBase, metric: str) -> tuple[np.ndarray, np.ndarray]:
    if metric == "mae":
        keep = np.isfinite(labels.label_number) & np.isfinite(labels.prediction_number)
        return labels.label_number[keep], labels.prediction_number[keep]
    return labels.label, labels.prediction


def _concept_from_labels(ref: LabelBase, current: LabelBase, config: MonitorConfig) -> ConceptDrift | str:
    ref_true, ref_pred = _label_pairs(ref, config.concept_metric)
    cur_true, cur_pred = _label_pairs(current, config.concept_metric)
    if min(ref_true.size, cur_true.size) < config.min_samples:
        return f"fewer than {config.min_samples} labelled predictions on one side"
    drop = performance_drop(ref_true, ref_pred, cur_true, cur_pred, metric=config.concept_metric,
                            alpha=config.concept_alpha)  # fmt: skip
    return concept_drift_from_labels(drop)


def _concept_from_joint(joint: JointBase, rows: WindowRows, config: MonitorConfig) -> ConceptDrift | str:
    numeric = joint.columns[:-1]
    if any(name not in rows.numeric for name in numeric):
        return "the window lacks a feature of the reference's joint sample"
    current = joint_rows(rows, numeric, joint.prediction_source, joint.classes)
    if current.shape[0] < config.min_samples:
        return f"fewer than {config.min_samples} complete rows for the joint-distribution proxy"
    result = joint_drift(joint.rows[:, :-1], joint.rows[:, -1], current[:, :-1], current[:, -1])
    return concept_drift_from_joint(result)


def score_concept(
    out: ScoredWindow, ref: ReferenceSet, rows: WindowRows, labelled: LabelledRows | None, config: MonitorConfig
) -> None:
    outcome: ConceptDrift | str = "the reference has neither labels nor a joint sample"
    if ref.labels is not None and labelled is not None and labelled.size:
        outcome = _concept_from_labels(ref.labels, labels_of(labelled), config)
    if isinstance(outcome, str) and ref.joint is not None:
        outcome = _concept_from_joint(ref.joint, rows, config)
    if isinstance(outcome, str):
        out.skipped[DriftType.CONCEPT] = outcome
        return
    details = dict(outcome.details)
    if outcome.method == "performance":
        method = f"performance_{details['metric']}"
        score, p_value, threshold = details["relative_drop"], details["p_value"], config.concept_alpha
    else:
        method = "joint_domain_classifier"
        score, p_value, threshold = details["score"], details.get("p_value"), details["threshold"]
    details |= {"approach": outcome.method, "type_threshold": 0.5}
    row = ResultRow(DriftType.CONCEPT, "", "", method, _finite(score), _finite(p_value), outcome.drifted, threshold,
                    outcome.magnitude, details=details)  # fmt: skip
    if outcome.method == "performance":
        row.n_reference, row.n_current = details["n_reference"], details["n_current"]
    out.types[DriftType.CONCEPT] = (DriftTypeScore(outcome.magnitude, 0.5, outcome.drifted), row)
