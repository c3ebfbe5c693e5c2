"""Django app for the dashboard endpoint (no models: it reads ClickHouse and the other apps)."""

from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "webapp.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
