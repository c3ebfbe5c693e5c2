"""Django app for RBAC; loads the permission catalogue when Django starts."""

from __future__ import annotations

from django.apps import AppConfig


class RbacConfig(AppConfig):
    name = "webapp.rbac"
    label = "rbac"
    verbose_name = "Roles and permissions"

    def ready(self) -> None:
        from webapp.rbac import catalogue  # noqa: F401  (registers the seed permissions)
