"""Routes of the alerting app under /api/v1."""

from __future__ import annotations

from django.urls import path

from webapp.alerting.api.alerts import AcknowledgeView, AlertDetailView, AlertHistoryView, AlertListView, ResolveView
from webapp.alerting.api.muting import (
    InhibitionDetailView,
    InhibitionListView,
    SilenceDetailView,
    SilenceExpireView,
    SilenceListView,
    WindowDetailView,
    WindowListView,
)
from webapp.alerting.api.preview import RulePreviewView
from webapp.alerting.api.rules import RuleDetailView, RuleListView

urlpatterns = [
    path("alerts", AlertListView.as_view(), name="alerts"),
    path("alerts/rules", RuleListView.as_view(), name="alert-rules"),
    path("alerts/rules/preview", RulePreviewView.as_view(), name="alert-rule-preview"),
    path("alerts/rules/<int:rule_id>", RuleDetailView.as_view(), name="alert-rule"),
    path("alerts/silences", SilenceListView.as_view(), name="alert-silences"),
    path("alerts/silences/<int:pk>", SilenceDetailView.as_view(), name="alert-silence"),
    path("alerts/silences/<int:pk>/expire", SilenceExpireView.as_view(), name="alert-silence-expire"),
    path("alerts/maintenance", WindowListView.as_view(), name="alert-windows"),
    path("alerts/maintenance/<int:pk>", WindowDetailView.as_view(), name="alert-window"),
    path("alerts/inhibitions", InhibitionListView.as_view(), name="alert-inhibitions"),
    path("alerts/inhibitions/<int:pk>", InhibitionDetailView.as_view(), name="alert-inhibition"),
    path("alerts/<int:alert_id>", AlertDetailView.as_view(), name="alert"),
    path("alerts/<int:alert_id>/acknowledge", AcknowledgeView.as_view(), name="alert-acknowledge"),
    path("alerts/<int:alert_id>/resolve", ResolveView.as_view(), name="alert-resolve"),
    path("alerts/<int:alert_id>/history", AlertHistoryView.as_view(), name="alert-history"),
]
