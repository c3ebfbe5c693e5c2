"""Drift severity in [0, 1]: per-result magnitude, per-type scores and one combined severity.

magnitude(result): 0 = no drift, 0.5 = exactly at the threshold, 1 = far past it.
  p-value tests: 0.5 * ln(p) / ln(threshold)  (p = threshold -> 0.5, p = threshold^2 -> 1)
  score tests:   0.5 * (score - s0) / (threshold - s0), s0 = score of identical data (0, or 0.5 for AUC)
severity(components) = 1 - prod_t (1 - w_t * s_t) over the drift types present, with weights
  concept 1.0, prediction 0.8, feature 0.6, embedding 0.6: monotone in every component, equal to
  w * s for a single type, and near 1 when any heavily weighted type is fully drifted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workers.analysis.drift.registry import get_test
from workers.analysis.drift.trend import Trend
from workers.analysis.drift.types import DriftType, DriftWhen, TestResult

DEFAULT_WEIGHTS: Mapping[str, float] = {
    DriftType.CONCEPT: 1.0, DriftType.PREDICTION: 0.8, DriftType.FEATURE: 0.6, DriftType.EMBEDDING: 0.6,
}
WARNING_SEVERITY = 0.25


def clip(value: float) -> float:
    return 0.0 if math.isnan(value) else min(1.0, max(0.0, value))


def p_value_magnitude(p_value: float, threshold: float) -> float:
    if p_value <= 0.0:
        return 1.0
    return clip(0.5 * math.log(min(p_value, 1.0)) / math.log(threshold))


def magnitude(result: TestResult) -> float:
    test = get_test(result.method)
    if test.drift_when is DriftWhen.P_BELOW:
        return p_value_magnitude(result.p_value if result.p_value is not None else 1.0, result.threshold)
    span = result.threshold - test.no_drift_score
    if span <= 0:
        return 1.0 if result.drifted else 0.0
    if math.isinf(result.score):
        return 1.0
    return clip(0.5 * (result.score - test.no_drift_score) / span)


def severity(components: Mapping[str, float], weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> float:
    """Combine per-type scores in [0, 1] (types without a weight count fully)."""
    calm = 1.0
    for kind, value in components.items():
        calm *= 1.0 - weights.get(kind, 1.0) * clip(value)
    return clip(1.0 - calm)


@dataclass(frozen=True)
class DriftTypeScore:
    """One drift type in the API's DriftScore shape (score in [0, 1])."""

    score: float
    threshold: float
    is_drifted: bool
    trend: Trend = Trend.STABLE
    feature_breakdown: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "threshold": self.threshold,
            "is_drifted": self.is_drifted,
            "trend": self.trend.value,
            "feature_breakdown": self.feature_breakdown,
        }


def result_score(result: TestResult, trend: Trend = Trend.STABLE) -> DriftTypeScore:
    """A single test (prediction or embedding drift) as a drift-type score; 0.5 is the threshold."""
    return DriftTypeScore(magnitude(result), 0.5, result.drifted, trend)
