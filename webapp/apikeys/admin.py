"""Django admin for API keys: creating one shows its plaintext once, in a message; keys are revoked,
never edited into something else."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from webapp.apikeys.models import ApiKey
from webapp.apikeys.tokens import hash_key, new_key, shown_prefix


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "project", "role", "status_display", "created_at", "last_used_at", "expires_at"]
    list_filter = ["role", "project"]
    search_fields = ["name", "prefix", "project__slug"]
    actions = ["revoke_selected"]
    autocomplete_fields = ["project"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        if obj is None:
            return ["project", "name", "role", "expires_at"]
        return [
            "project",
            "name",
            "prefix",
            "role",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
            "expires_at",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        if obj is None:
            return []
        return ["project", "prefix", "role", "created_by", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description="status")
    def status_display(self, key: ApiKey) -> str:
        return key.status()

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        plaintext = new_key()
        obj.key_hash = hash_key(plaintext)
        obj.prefix = shown_prefix(plaintext)
        obj.created_by = request.user if request.user.is_authenticated else None  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        messages.warning(
            request, f"API key for {obj.project.slug}: {plaintext} — copy it now, it will not be shown again."
        )

    @admin.action(description="Revoke selected API keys")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            key.revoke()
        self.message_user(request, f"revoked {queryset.count()} key(s)")
