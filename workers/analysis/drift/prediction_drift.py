"""Prediction drift: the distribution of model outputs, scored with the same registry as features.

Predicted classes are a categorical feature, predicted scores (a probability or a regression output)
a numerical one, so the default table and the method precedence apply unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from workers.analysis.drift.reference import FeatureReference, build_reference
from workers.analysis.drift.types import DriftConfigError, FeatureType, TestResult

PREDICTION_TYPES = {"class": FeatureType.CATEGORICAL, "score": FeatureType.NUMERICAL}


def prediction_reference(
    predictions: Any,
    kind: Literal["class", "score"],
    *,
    method: str | None = None,
    monitor_method: str | None = None,
    threshold: float | None = None,
    window_size: int | None = None,
) -> FeatureReference:
    """Reference for predictions (raw outputs or an uploaded summary) named "prediction"."""
    if kind not in PREDICTION_TYPES:
        raise DriftConfigError(f"unknown prediction kind {kind!r}; valid: {', '.join(PREDICTION_TYPES)}")
    return build_reference(
        "prediction",
        predictions,
        PREDICTION_TYPES[kind],
        feature_method=method,
        monitor_method=monitor_method,
        threshold=threshold,
        window_size=window_size,
    )


def prediction_drift(reference: FeatureReference, current_predictions: Any) -> TestResult:
    return reference.score(current_predictions)
