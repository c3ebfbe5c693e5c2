"""A monitor's scoring settings, taken from the ORM once per run as the pure `MonitorConfig`."""

from __future__ import annotations

from webapp.drift.models import DriftMonitor
from workers.analysis.drift.monitor.config import MonitorConfig


def monitor_config(monitor: DriftMonitor) -> MonitorConfig:
    return MonitorConfig(
        features=tuple(monitor.features or ()),
        feature_methods=dict(monitor.feature_methods or {}),
        type_methods=dict(monitor.type_methods or {}),
        method=monitor.method,
        thresholds={k: float(v) for k, v in (monitor.thresholds or {}).items()},
        drift_share=monitor.drift_share,
        prediction_method=monitor.prediction_method,
        prediction_threshold=monitor.prediction_threshold,
        embedding_method=monitor.embedding_method,
        embedding_threshold=monitor.embedding_threshold,
        concept_metric=monitor.concept_metric,
        concept_alpha=monitor.concept_alpha,
        min_samples=monitor.min_samples,
        max_window_rows=monitor.max_window_rows,
    )
