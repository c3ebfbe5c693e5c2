"""Feature drift over many features: one test result per feature and the share that drifted.

The model-level flag follows Evidently's dataset drift: drifted when share_drifted >= drift_share.
A feature whose window cannot be scored (no values) is reported in `errors`, not raised, so one empty
column does not hide the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workers.analysis.drift.reference import FeatureReference
from workers.analysis.drift.severity import DriftTypeScore, magnitude
from workers.analysis.drift.trend import Trend
from workers.analysis.drift.types import DriftConfigError, TestResult


@dataclass(frozen=True)
class FeatureDriftReport:
    results: dict[str, TestResult]
    drift_share: float
    missing: list[str] = field(default_factory=list)  # referenced features absent from the window
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def drifted_features(self) -> list[str]:
        return [name for name, result in self.results.items() if result.drifted]

    @property
    def share_drifted(self) -> float:
        return len(self.drifted_features) / len(self.results) if self.results else 0.0

    @property
    def drifted(self) -> bool:
        return bool(self.results) and self.share_drifted >= self.drift_share

    def type_score(self, trend: Trend = Trend.STABLE) -> DriftTypeScore:
        breakdown = {name: magnitude(result) for name, result in self.results.items()}
        return DriftTypeScore(self.share_drifted, self.drift_share, self.drifted, trend, breakdown)

    def to_dict(self) -> dict[str, Any]:
        return {
            "share_drifted": self.share_drifted,
            "drift_share": self.drift_share,
            "drifted": self.drifted,
            "drifted_features": self.drifted_features,
            "features": {name: result.to_dict() for name, result in self.results.items()},
            "missing": self.missing,
            "errors": self.errors,
        }


def feature_drift(
    references: Iterable[FeatureReference],
    current: Mapping[str, Any],
    *,
    thresholds: Mapping[str, float] | None = None,
    drift_share: float = 0.5,
) -> FeatureDriftReport:
    """Score each referenced feature's current window; `thresholds` overrides per feature."""
    results: dict[str, TestResult] = {}
    missing: list[str] = []
    errors: dict[str, str] = {}
    for reference in references:
        if reference.feature not in current:
            missing.append(reference.feature)
            continue
        try:
            results[reference.feature] = reference.score(
                current[reference.feature], (thresholds or {}).get(reference.feature)
            )
        except DriftConfigError as error:
            errors[reference.feature] = str(error)
    return FeatureDriftReport(results, drift_share, missing, errors)
