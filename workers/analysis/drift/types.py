"""Shared vocabulary of the drift statistics: feature types, drift direction and one test's result.

Pure values only; every statistic in `stattests/` returns a `TestResult`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple


class FeatureType(StrEnum):
    NUMERICAL = "numerical"
    CATEGORICAL = "categorical"
    EMBEDDING = "embedding"
    MULTIVARIATE = "multivariate"


class DriftType(StrEnum):
    """The kinds of drift a monitor scores; the API's drift scores and the severity weights use these."""

    FEATURE = "feature"
    EMBEDDING = "embedding"
    CONCEPT = "concept"
    PREDICTION = "prediction"


class DriftWhen(StrEnum):
    """Which side of the threshold means drift."""

    P_BELOW = "p_below"  # p-value < threshold
    SCORE_ABOVE = "score_above"  # score >= threshold

    def decide(self, score: float, p_value: float | None, threshold: float) -> bool:
        if self is DriftWhen.P_BELOW:
            if p_value is None:
                raise ValueError("a p_below test must produce a p-value")
            return p_value < threshold
        return score >= threshold


class DriftConfigError(ValueError):
    """A drift configuration or input that cannot be used; the message says what is accepted."""


class Measurement(NamedTuple):
    """What a statistic computes; the registry turns it into a `TestResult` with the threshold."""

    score: float
    p_value: float | None
    details: dict[str, Any]


@dataclass(frozen=True)
class TestResult:
    """Outcome of one statistic on one reference/current pair."""

    __test__ = False  # not a pytest test class

    method: str
    score: float
    p_value: float | None
    drifted: bool
    threshold: float
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "score": _json_float(self.score),
            "p_value": None if self.p_value is None else _json_float(self.p_value),
            "drifted": self.drifted,
            "threshold": self.threshold,
            "details": self.details,
        }


def _json_float(value: float) -> float | None:
    # JSON has no inf/nan; an infinite statistic is reported as None with the flag kept in `drifted`.
    return float(value) if math.isfinite(value) else None
