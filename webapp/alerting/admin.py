"""Django admin for alert rules, silences, maintenance windows and inhibition rules (validated by the
models' clean(), as the API is); alerts are read-only history."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from webapp.alerting.models import Alert, AlertRule, InhibitionRule, MaintenanceWindow, Silence


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "rule_type", "severity", "evaluation_interval", "enabled", "last_evaluated_at",
                    "last_error"]  # fmt: skip
    list_filter = ["rule_type", "severity", "enabled", "project"]
    search_fields = ["name", "project__slug"]
    autocomplete_fields = ["project"]
    filter_horizontal = ["channels"]
    readonly_fields = ["last_evaluated_at", "last_error"]


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "starts_at", "ends_at", "created_by", "comment"]
    list_filter = ["project"]
    search_fields = ["comment", "created_by", "project__slug"]
    autocomplete_fields = ["project"]
    actions = ["expire_now"]

    @admin.action(description="Expire the selected silences now")
    def expire_now(self, request: HttpRequest, queryset: object) -> None:
        for silence in queryset:  # type: ignore[attr-defined]
            silence.expire()


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "model_ids", "starts_at", "ends_at", "weekdays", "times", "timezone", "enabled"]
    list_filter = ["enabled", "project"]
    search_fields = ["name", "project__slug"]
    autocomplete_fields = ["project"]


@admin.register(InhibitionRule)
class InhibitionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "source_matchers", "target_matchers", "equal", "enabled"]
    list_filter = ["enabled", "project"]
    autocomplete_fields = ["project"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "severity", "state", "model_id", "starts_at", "ends_at", "acknowledged_by"]
    list_filter = ["state", "severity", "project"]
    search_fields = ["fingerprint", "model_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
