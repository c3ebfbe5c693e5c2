"""Routes of the metrics endpoints under /api/v1 (the seed's /metrics and /metrics/timeseries)."""

from __future__ import annotations

from django.urls import path

from webapp.metrics.api.metrics import MetricListView, TimeSeriesView

urlpatterns = [
    path("metrics", MetricListView.as_view(), name="metrics"),
    path("metrics/timeseries", TimeSeriesView.as_view(), name="metric-timeseries"),
]
