"""Concept drift: a change of P(y | x), measured two ways depending on whether labels exist.

With labels (feedback): the model's performance on the current window against the reference window,
one-sided (is it worse?): accuracy by a two-proportion z-test, MAE by Welch's t-test on absolute
errors, macro F1 by a seeded bootstrap of the difference (multinomial resampling of confusion cells).
Without labels P(y | x) cannot be observed; the proxy is drift of the joint (features, prediction)
distribution by the domain classifier. It flags the inputs moving into regions where the model
behaves differently, but also pure covariate shift, and a concept change with unchanged inputs stays
invisible until labels arrive, so prefer labels whenever feedback exists.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import norm, ttest_ind

from workers.analysis.drift.registry import get_test
from workers.analysis.drift.severity import magnitude, p_value_magnitude
from workers.analysis.drift.types import DriftConfigError, TestResult

MATERIAL_DROP = 0.05  # a 5% relative performance drop counts as "at threshold" for severity


@dataclass(frozen=True)
class PerformanceDrop:
    metric: str
    reference_value: float
    current_value: float
    relative_drop: float  # > 0 means worse, relative to the reference value
    p_value: float
    alpha: float
    drifted: bool
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def magnitude(self) -> float:
        """Severity in [0, 1]: needs both significance and a material drop (0.5 at both thresholds)."""
        if self.relative_drop <= 0:
            return 0.0
        by_drop = min(1.0, 0.5 * self.relative_drop / MATERIAL_DROP)
        return min(p_value_magnitude(self.p_value, self.alpha), by_drop)


Comparison = tuple[float, float, float]  # reference value, current value, one-sided p-value
Labels = np.ndarray


def _accuracy(ref_true: Labels, ref_pred: Labels, cur_true: Labels, cur_pred: Labels, **_: Any) -> Comparison:
    hits_ref, hits_cur = int(np.sum(ref_true == ref_pred)), int(np.sum(cur_true == cur_pred))
    n1, n2 = ref_true.size, cur_true.size
    acc_ref, acc_cur = hits_ref / n1, hits_cur / n2
    pooled = (hits_ref + hits_cur) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = 1.0 if spread == 0 else float(norm.sf((acc_ref - acc_cur) / spread))
    return acc_ref, acc_cur, p


def _mae(ref_true: Labels, ref_pred: Labels, cur_true: Labels, cur_pred: Labels, **_: Any) -> Comparison:
    err_ref = np.abs(ref_true.astype(np.float64) - ref_pred)
    err_cur = np.abs(cur_true.astype(np.float64) - cur_pred)
    if err_ref.size < 2 or err_cur.size < 2 or (np.ptp(err_ref) == 0 and np.ptp(err_cur) == 0):
        p = 1.0 if err_cur.mean() <= err_ref.mean() else 0.0
    else:
        p = float(ttest_ind(err_cur, err_ref, equal_var=False, alternative="greater").pvalue)
    return float(err_ref.mean()), float(err_cur.mean()), p


def _macro_f1(cells: np.ndarray, k: int) -> np.ndarray:
    """Macro F1 from confusion counts shaped (..., k*k), row = true class, column = predicted."""
    matrix = cells.reshape(*cells.shape[:-1], k, k)
    tp = np.diagonal(matrix, axis1=-2, axis2=-1)
    denom = matrix.sum(axis=-1) + matrix.sum(axis=-2)  # true + predicted counts = 2tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros(denom.shape), where=denom > 0)
    present = denom > 0  # classes never seen nor predicted do not count
    return np.where(present, f1, 0.0).sum(axis=-1) / np.maximum(present.sum(axis=-1), 1)


def _f1(
    ref_true: np.ndarray,
    ref_pred: np.ndarray,
    cur_true: np.ndarray,
    cur_pred: np.ndarray,
    bootstrap: int = 2000,
    seed: int = 0,
    **_: Any,
) -> Comparison:
    classes = np.unique(np.concatenate((ref_true, ref_pred, cur_true, cur_pred)))
    k = classes.size

    def cells(true: np.ndarray, pred: np.ndarray) -> np.ndarray:
        code = np.searchsorted(classes, true) * k + np.searchsorted(classes, pred)
        return np.bincount(code, minlength=k * k).astype(np.float64)

    ref_cells, cur_cells = cells(ref_true, ref_pred), cells(cur_true, cur_pred)
    rng = np.random.default_rng(seed)
    ref_boot = rng.multinomial(ref_true.size, ref_cells / ref_cells.sum(), size=bootstrap)
    cur_boot = rng.multinomial(cur_true.size, cur_cells / cur_cells.sum(), size=bootstrap)
    drops = _macro_f1(ref_boot, k) - _macro_f1(cur_boot, k)
    p = float((1 + np.count_nonzero(drops <= 0)) / (bootstrap + 1))
    return float(_macro_f1(ref_cells, k)), float(_macro_f1(cur_cells, k)), p


@dataclass(frozen=True)
class PerformanceMetric:
    compare: Callable[..., Comparison]
    higher_is_better: bool
    test: str


METRICS: dict[str, PerformanceMetric] = {
    "accuracy": PerformanceMetric(_accuracy, True, "two-proportion z-test (one-sided)"),
    "f1": PerformanceMetric(_f1, True, "bootstrap of the macro-F1 difference (one-sided)"),
    "mae": PerformanceMetric(_mae, False, "Welch t-test on absolute errors (one-sided)"),
}


def performance_drop(
    reference_true: Any,
    reference_pred: Any,
    current_true: Any,
    current_pred: Any,
    *,
    metric: str = "accuracy",
    alpha: float = 0.05,
    min_relative_drop: float = 0.0,
    seed: int = 0,
    bootstrap: int = 2000,
) -> PerformanceDrop:
    """Is the model significantly worse on the current window than on the reference window?"""
    if metric not in METRICS:
        raise DriftConfigError(f"unknown performance metric {metric!r}; valid: {', '.join(sorted(METRICS))}")
    arrays = [np.asarray(a).ravel() for a in (reference_true, reference_pred, current_true, current_pred)]
    if arrays[0].size != arrays[1].size or arrays[2].size != arrays[3].size or min(arrays[0].size, arrays[2].size) == 0:
        raise DriftConfigError("labels and predictions must be non-empty and of equal length per window")
    spec = METRICS[metric]
    ref_value, cur_value, p = spec.compare(*arrays, seed=seed, bootstrap=bootstrap)
    worse = ref_value - cur_value if spec.higher_is_better else cur_value - ref_value
    relative = worse / abs(ref_value) if ref_value != 0 else (math.inf if worse > 0 else 0.0)
    drifted = p < alpha and worse > 0 and relative >= min_relative_drop
    details = {"test": spec.test, "n_reference": int(arrays[0].size), "n_current": int(arrays[2].size)}
    return PerformanceDrop(metric, ref_value, cur_value, relative, p, alpha, drifted, details)


def joint_drift(
    reference_features: Any,
    reference_predictions: Any,
    current_features: Any,
    current_predictions: Any,
    *,
    threshold: float | None = None,
    seed: int = 0,
    model: str = "gradient_boosting",
) -> TestResult:
    """Label-free proxy: domain classifier on the joint rows [features, prediction].

    Gradient boosting by default: a changed relation between inputs and outputs can leave every
    marginal (and mean) unchanged, which a linear classifier cannot see.
    """
    test = get_test("domain_classifier")

    def joint(features: Any, predictions: Any) -> np.ndarray:
        rows = np.asarray(features, dtype=np.float64)
        preds = np.asarray(predictions, dtype=np.float64)
        rows = rows.reshape(rows.shape[0], -1)
        return np.hstack((rows, preds.reshape(rows.shape[0], -1)))

    summary = test.summarise(joint(reference_features, reference_predictions), seed=seed)
    return test.score(summary, joint(current_features, current_predictions), threshold, seed=seed, model=model)


@dataclass(frozen=True)
class ConceptDrift:
    method: str  # "performance" | "joint_distribution"
    magnitude: float
    drifted: bool
    details: dict[str, Any]


def concept_drift_from_labels(drop: PerformanceDrop) -> ConceptDrift:
    details = {
        "metric": drop.metric,
        "reference": drop.reference_value,
        "current": drop.current_value,
        "relative_drop": drop.relative_drop,
        "p_value": drop.p_value,
        **drop.details,
    }
    return ConceptDrift("performance", drop.magnitude, drop.drifted, details)


def concept_drift_from_joint(result: TestResult) -> ConceptDrift:
    return ConceptDrift("joint_distribution", magnitude(result), result.drifted, result.to_dict())
