"""Django app for API keys."""

from __future__ import annotations

from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "webapp.apikeys"
    label = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from webapp.apikeys import schema  # noqa: F401  (OpenAPI descriptions of the auth classes)
