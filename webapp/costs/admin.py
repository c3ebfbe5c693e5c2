"""Django admin for price overrides, budgets, notification channels and budget alerts.

Overrides and budgets are validated by their models' clean() (the same checks as the API); alert
records are history and read-only.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from webapp.costs.models import AlertDelivery, Budget, BudgetAlert, NotificationChannel, PriceOverride


@admin.register(PriceOverride)
class PriceOverrideAdmin(admin.ModelAdmin):
    list_display = ["model", "provider", "project", "input_usd_per_mtok", "output_usd_per_mtok", "effective_from",
                    "effective_to", "updated_at"]  # fmt: skip
    list_filter = ["project", "provider"]
    search_fields = ["model", "aliases", "project__slug"]
    autocomplete_fields = ["project"]


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "project", "enabled", "created_at"]
    list_filter = ["kind", "enabled", "project"]
    search_fields = ["name", "url", "project__slug"]
    autocomplete_fields = ["project"]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "dimension", "value", "period", "limit_usd", "enabled"]
    list_filter = ["period", "dimension", "enabled", "project"]
    search_fields = ["name", "value", "project__slug"]
    autocomplete_fields = ["project"]
    filter_horizontal = ["channels"]


class AlertDeliveryInline(admin.TabularInline):
    model = AlertDelivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "target", "status", "attempts", "last_error", "response_status", "last_attempt_at",
                       "delivered_at"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BudgetAlert)
class BudgetAlertAdmin(admin.ModelAdmin):
    list_display = ["budget", "threshold", "percent_used", "period_start", "notified", "created_at"]
    list_filter = ["project", "notified"]
    date_hierarchy = "created_at"
    inlines = [AlertDeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
