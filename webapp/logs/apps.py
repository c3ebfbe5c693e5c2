"""Django app for the logs endpoint (no models: records live in ClickHouse)."""

from __future__ import annotations

from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "webapp.logs"
    label = "logs"
    verbose_name = "Logs"
