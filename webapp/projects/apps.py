"""Django app for projects and memberships."""

from __future__ import annotations

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "webapp.projects"
    label = "projects"
    verbose_name = "Projects"
