"""Routes of the drift API under /api/v1/drift."""

from __future__ import annotations

from django.urls import path

from webapp.drift.api.drift import (
    FeaturesView,
    HistoryView,
    MonitorListView,
    MonitorView,
    ReferenceView,
    RunView,
    StatusView,
)

urlpatterns = [
    path("drift", MonitorListView.as_view(), name="drift-monitors"),
    path("drift/<str:model_id>", StatusView.as_view(), name="drift-status"),
    path("drift/<str:model_id>/history", HistoryView.as_view(), name="drift-history"),
    path("drift/<str:model_id>/features", FeaturesView.as_view(), name="drift-features"),
    path("drift/<str:model_id>/monitor", MonitorView.as_view(), name="drift-monitor"),
    path("drift/<str:model_id>/reference", ReferenceView.as_view(), name="drift-reference"),
    path("drift/<str:model_id>/run", RunView.as_view(), name="drift-run"),
]
