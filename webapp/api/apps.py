"""Django app for the API frame (no models)."""

from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "webapp.api"
    label = "pyflare_api"
    verbose_name = "API"

    def ready(self) -> None:
        from webapp.api import readiness

        readiness.register_builtin_checks()
