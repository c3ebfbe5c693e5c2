"""Projects (the tenancy unit: telemetry carries the project slug) and user memberships with a role.

The slug is what spans name in the resource attribute `pyflare.project` and what ClickHouse rows
store in their `project` column, so it never changes once created. Deleting a project erases its
telemetry and leaves a `DeletedProject` record; a new project reusing the slug is erased again
before it is created (webapp.projects.lifecycle), so it starts empty.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from webapp.rbac.registry import role_choices

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
slug_validator = RegexValidator(
    SLUG_PATTERN, "use 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit"
)


class Project(models.Model):
    slug = models.CharField(max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=role_choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__slug", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} as {self.role}"


class DeletedProject(models.Model):
    """A deleted project's slug; its telemetry was erased at deletion and is erased again on reuse."""

    slug = models.CharField(max_length=63, db_index=True)
    name = models.CharField(max_length=200)
    deleted_at = models.DateTimeField(auto_now_add=True)
    erased_from = models.JSONField(default=list, help_text="tables and collections that held its telemetry")

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"{self.slug} (deleted {self.deleted_at:%Y-%m-%d %H:%M})"
