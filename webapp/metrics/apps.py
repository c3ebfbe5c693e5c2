"""Django app for the metrics endpoints (no models: points live in ClickHouse)."""

from __future__ import annotations

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "webapp.metrics"
    label = "metrics"
    verbose_name = "Metrics"
