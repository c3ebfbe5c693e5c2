"""Deleting a project and reusing its slug without inheriting its telemetry.

Telemetry rows carry the project slug (ClickHouse `project` column, Qdrant payload `project`).
Deleting a project first erases them (the purger: workers.storage.purge through the caller's
clients); only when that succeeded is the project deleted and a DeletedProject recorded, so a
failure leaves everything as it was. A slug with such a record is erased again right before a new
project takes it (telemetry still in flight when the old one was deleted), so it starts empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from webapp.projects.models import DeletedProject, Project

log = logging.getLogger("pyflare.projects")

Purger = Callable[[str], list[str]]  # slug -> the tables/collections that held its telemetry


class TelemetryPurgeFailed(Exception):
    def __init__(self, slug: str) -> None:
        super().__init__(f"the telemetry of project {slug!r} could not be erased (storage unavailable); try again")
        self.slug = slug


def _purge(slug: str, purge: Purger) -> list[str]:
    try:
        return purge(slug)
    except Exception:
        log.exception("erasing the telemetry of project %r failed", slug)
        raise TelemetryPurgeFailed(slug) from None


def delete_project(project: Project, purge: Purger) -> DeletedProject:
    erased = _purge(project.slug, purge)
    with transaction.atomic():
        record = DeletedProject.objects.create(slug=project.slug, name=project.name, erased_from=erased)
        project.delete()
    log.info("project %r deleted; its telemetry was erased from %s", record.slug, ", ".join(erased) or "nowhere")
    return record


def prepare_slug_for_reuse(slug: str, purge: Purger) -> None:
    """Erase what a deleted project of this slug may still have; call before creating the project."""
    if DeletedProject.objects.filter(slug=slug).exists():
        _purge(slug, purge)
