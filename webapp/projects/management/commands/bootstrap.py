"""`bootstrap`: apply the PYFLARE_INIT_* variables and print generated credentials once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from webapp.projects.bootstrap import BootstrapError, bootstrap_from_env


class Command(BaseCommand):
    help = "Create the initial project, admin and API key from PYFLARE_INIT_* (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = bootstrap_from_env()
        except BootstrapError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"project {result.project!r} {'created' if result.project_created else 'present'}")
        if result.has_secrets_to_show:
            self.stdout.write(result.announcement())
