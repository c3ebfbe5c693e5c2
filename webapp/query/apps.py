"""Django app for the SQL endpoint (no models)."""

from __future__ import annotations

from django.apps import AppConfig


class QueryConfig(AppConfig):
    name = "webapp.query"
    label = "query"
    verbose_name = "SQL query"
