"""Django app for the trace endpoints (traces live in ClickHouse; saved views of the explorer here);
registers `traces:views:manage` (change or delete anyone's saved view: admins, through `*`)."""

from __future__ import annotations

from django.apps import AppConfig


class TracesConfig(AppConfig):
    name = "webapp.traces"
    label = "traces"
    verbose_name = "Traces"

    def ready(self) -> None:
        from webapp.rbac.registry import register_permission

        register_permission("traces:views:manage", "change or delete any member's saved trace views")
