"""A model's verdict for one window: overall status and severity from every drift signal.

A signal is one scored result: each feature's test, and each drift type (feature drift as a whole,
prediction, concept, embedding). Its magnitude m is in [0, 1] with 0.5 at its own threshold
(`severity.magnitude`); a drift type's score is rescaled onto that scale (`type_level`).

    combined  = 1 - prod_t (1 - w_t * s_t)                      over the drift types t
    strongest = max_r w_t(r) * max(m_r, 0.5)    over the drifted signals r (0 when none drifted)
    severity  = max(combined, strongest)

w are the drift-type weights (concept 1.0, prediction 0.8, feature 0.6, embedding 0.6). `combined`
grows with drift in several types at once; `strongest` makes one drift count on its own, whatever the
share of drifted features: a single drifted feature at p = threshold^2 or below (m = 1) gives at
least 0.6, one just past its threshold at least 0.3. Without any drifted signal severity = combined.
Status: `drifted` when any drift type is flagged (features: the dataset-drift share),
else `warning` when any signal is drifted or severity >= WARNING_SEVERITY, else `healthy`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workers.analysis.drift.severity import DEFAULT_WEIGHTS, WARNING_SEVERITY, DriftTypeScore, clip, severity


@dataclass(frozen=True)
class Signal:
    """One scored result: a feature's test (`feature` set) or a whole drift type (`feature` empty)."""

    drift_type: str
    feature: str
    magnitude: float
    drifted: bool

    def weighted(self, weights: Mapping[str, float]) -> float:
        """This signal's share of the severity: 0 unless drifted, then at least half its type's weight."""
        return weights.get(self.drift_type, 1.0) * max(clip(self.magnitude), 0.5) if self.drifted else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"drift_type": self.drift_type, "feature": self.feature, "magnitude": self.magnitude,
                "drifted": self.drifted}  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    status: str  # "healthy" | "warning" | "drifted"
    severity: float
    combined: float
    strongest: Signal | None  # the drifted signal that sets `strongest`; None when nothing drifted


def type_level(score: DriftTypeScore) -> float:
    """A drift type's score on the magnitude scale: 0 -> 0, its threshold -> 0.5, 1 -> 1 (piecewise linear)."""
    value, threshold = clip(score.score), score.threshold
    if value < threshold:
        return 0.5 * value / threshold
    if threshold >= 1.0:
        return 1.0
    return clip(0.5 + 0.5 * (value - threshold) / (1.0 - threshold))


def overall_status(flags: Mapping[str, bool], combined: float, any_signal_drifted: bool = False) -> str:
    """'drifted' if any drift type is drifted; 'warning' if any signal drifted or from WARNING_SEVERITY."""
    if any(flags.values()):
        return "drifted"
    return "warning" if any_signal_drifted or combined >= WARNING_SEVERITY else "healthy"


def model_verdict(
    types: Mapping[str, DriftTypeScore],
    features: Iterable[Signal] = (),
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Verdict:
    """Status and severity of one window from its drift types and per-feature signals."""
    levels = {kind: type_level(score) for kind, score in types.items()}
    signals = [*(Signal(kind, "", levels[kind], score.is_drifted) for kind, score in types.items()), *features]
    combined = severity(levels, weights)
    drifted = [s for s in signals if s.drifted]
    strongest = max(drifted, key=lambda s: s.weighted(weights), default=None)
    peak = strongest.weighted(weights) if strongest is not None else 0.0
    total = clip(max(combined, peak))
    flags = {kind: score.is_drifted for kind, score in types.items()}
    status = overall_status(flags, total, bool(drifted))
    return Verdict(status, total, combined, strongest)
