"""Routes of the dashboard under /api/v1."""

from __future__ import annotations

from django.urls import path

from webapp.dashboard.api.dashboard import DashboardSummaryView

urlpatterns = [path("dashboard/summary", DashboardSummaryView.as_view(), name="dashboard-summary")]
