"""API keys: one project, one role, a SHA-256 of the secret, and a life (expiry, revocation, last use).

The plaintext exists only in the return value of `ApiKey.issue`; the database never sees it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from webapp.apikeys.tokens import hash_key, new_key, shown_prefix
from webapp.projects.models import Project
from webapp.rbac.registry import role_choices


class ApiKey(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=16, help_text="The first characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    role = models.CharField(max_length=32, choices=role_choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project__slug", "-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name}, {self.project})"

    @classmethod
    def issue(
        cls,
        *,
        project: Project,
        name: str,
        role: str,
        created_by: models.Model | None = None,
        expires_at: datetime | None = None,
        plaintext: str | None = None,
    ) -> tuple[ApiKey, str]:
        """Create a key and return it with its plaintext, which is not kept anywhere."""
        secret = plaintext or new_key()
        key = cls.objects.create(
            project=project,
            name=name,
            role=role,
            created_by=created_by,
            expires_at=expires_at,
            prefix=shown_prefix(secret),
            key_hash=hash_key(secret),
        )
        return key, secret

    def status(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
