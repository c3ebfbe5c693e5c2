"""The /api/v1 URL table, assembled from every installed app's `api_urls.py`.

A feature app adds endpoints by shipping `webapp/<app>/api_urls.py` with `urlpatterns`; nothing
here changes. Apps are visited in INSTALLED_APPS order, so the table is deterministic.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps


def discovered_urlpatterns(module_name: str = "api_urls") -> list[Any]:
    patterns: list[Any] = []
    for config in apps.get_app_configs():
        dotted = f"{config.name}.{module_name}"
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name == dotted:
                continue  # the app has no API routes
            raise
        patterns.extend(module.urlpatterns)
    return patterns


urlpatterns = discovered_urlpatterns()
