"""Saved views of the trace explorer: a name for the list's URL state (filters, sort, columns).

A view belongs to its owner in one project; `shared` shows it to every member who can read traces.
Only the owner, or a role holding `traces:views:manage` (admins), changes or deletes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from webapp.projects.models import Project

MAX_NAME = 120
MAX_QUERY = 4000


class SavedView(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="saved_views")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=MAX_NAME)
    query = models.CharField(max_length=MAX_QUERY, blank=True, help_text="the explorer's URL query string")
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "owner", "name"], name="saved_view_unique_name_per_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.name}"
