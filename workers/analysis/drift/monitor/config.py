"""A monitor's scoring settings as a plain value, and the test summaries built from a reference with them.

Scoring never touches the ORM: the job takes the settings once per run (`webapp/drift/config.py`).
The per-feature test summary depends on the reference, the settings that choose the method and on whether the
window is small (<= 1,000 values, see the default table), so it is cached under exactly that key.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from workers.analysis.drift.monitor.cache import LruCache
from workers.analysis.drift.monitor.reference_set import EmbeddingBase, FeatureBase, PredictionBase
from workers.analysis.drift.reference import FeatureReference, build_reference
from workers.analysis.drift.selection import SMALL_SAMPLE, resolve_method
from workers.analysis.drift.types import FeatureType

FEATURE_REFERENCES = LruCache(2048)


@dataclass(frozen=True)
class MonitorConfig:
    features: tuple[str, ...] = ()
    feature_methods: dict[str, str] = field(default_factory=dict)
    type_methods: dict[str, str] = field(default_factory=dict)
    method: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)
    drift_share: float = 0.5
    prediction_method: str = ""
    prediction_threshold: float | None = None
    embedding_method: str = ""
    embedding_threshold: float | None = None
    concept_metric: str = "accuracy"
    concept_alpha: float = 0.05
    min_samples: int = 30
    max_window_rows: int = 200_000

    def fingerprint(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=str)


def _feature_choice(config: MonitorConfig, name: str) -> tuple[Any, ...]:
    return (config.feature_methods.get(name), tuple(sorted(config.type_methods.items())), config.method,
            config.thresholds.get(name))  # fmt: skip


def feature_reference(
    reference_id: str, name: str, base: FeatureBase, config: MonitorConfig, window_size: int
) -> FeatureReference:
    small = window_size <= SMALL_SAMPLE
    key = ("feature", reference_id, name, _feature_choice(config, name), small)
    return FEATURE_REFERENCES.get(
        key,
        lambda: build_reference(
            name,
            base.summary,
            base.feature_type,
            feature_method=config.feature_methods.get(name) or None,
            type_methods=config.type_methods or None,
            monitor_method=config.method or None,
            threshold=config.thresholds.get(name),
            window_size=window_size,
        ),
    )


def prediction_reference(
    reference_id: str, base: PredictionBase, config: MonitorConfig, window_size: int
) -> FeatureReference:
    small = window_size <= SMALL_SAMPLE
    key = ("prediction", reference_id, config.prediction_method, config.prediction_threshold, small)
    return FEATURE_REFERENCES.get(
        key,
        lambda: build_reference(
            "prediction",
            base.summary,
            base.feature_type,
            feature_method=config.prediction_method or None,
            threshold=config.prediction_threshold,
            window_size=window_size,
        ),
    )


def embedding_method(config: MonitorConfig, base: EmbeddingBase, n_current: int) -> str:
    """The monitor's embedding method, else the automatic one for the smaller side's size."""
    return config.embedding_method or resolve_method(FeatureType.EMBEDDING, min(n_current, base.count)).test.name
