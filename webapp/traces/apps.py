"""Django app for the trace endpoints (no models: traces live in ClickHouse)."""

from __future__ import annotations

from django.apps import AppConfig


class TracesConfig(AppConfig):
    name = "webapp.traces"
    label = "traces"
    verbose_name = "Traces"
