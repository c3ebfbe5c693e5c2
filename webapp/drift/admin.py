"""Django admin for drift: monitors (configuration), references (read-only, with their parts) and alerts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from webapp.drift.models import DriftAlert, DriftAlertDelivery, DriftMonitor, DriftReference
from webapp.drift.store import load_reference


@admin.register(DriftMonitor)
class DriftMonitorAdmin(admin.ModelAdmin):
    list_display = ["model_id", "project", "enabled", "window_seconds", "last_status", "last_run_at", "reference"]
    list_filter = ["enabled", "project", "last_status"]
    search_fields = ["model_id", "project__slug"]
    autocomplete_fields = ["project"]
    filter_horizontal = ["channels"]
    readonly_fields = ["reference", "last_window_end", "last_run_at", "last_status", "created_at", "updated_at"]


@admin.register(DriftReference)
class DriftReferenceAdmin(admin.ModelAdmin):
    list_display = ["id", "monitor", "source", "row_count", "size_bytes", "created_at", "created_by"]
    list_filter = ["source"]
    search_fields = ["monitor__model_id", "monitor__project__slug"]
    exclude = ["manifest", "arrays"]
    readonly_fields = ["monitor", "source", "window_start", "window_end", "created_by", "row_count", "size_bytes",
                       "parts"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # references come from uploads or windows (API), never typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="parts")
    def parts(self, stored: DriftReference) -> str:
        described = load_reference(stored).describe()
        rows = [(name, f"{part['type']} · {part['form']} · {part['count']} values")
                for name, part in described["features"].items()]  # fmt: skip
        for key in ("prediction", "labels", "embedding"):
            if described[key]:
                rows.append((key, str(described[key])))
        return format_html_join("", "<div><b>{}</b>: {}</div>", rows)


class DeliveryInline(admin.TabularInline):
    model = DriftAlertDelivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "target", "status", "response_status", "last_error", "attempted_at"]


@admin.register(DriftAlert)
class DriftAlertAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "severity", "windows", "opened_at", "resolved_at"]
    list_filter = ["status", "project"]
    search_fields = ["title", "monitor__model_id"]
    inlines = [DeliveryInline]
    readonly_fields = [f.name for f in DriftAlert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
