"""`pyflare projects create|list` and `pyflare keys create|list|revoke`: the control plane for headless setups.

Scale mode has no first-start announcement: these make the project and the ingest key an application
(or the collector in front of it) sends with. A new key's secret is printed once, on stdout alone, so
`KEY=$(pyflare keys create --project shop --role ingest)` captures it; everything else goes to stderr.
They work on the control database PyFlare is configured for (PYFLARE_DATABASE_URL, else SQLite under
PYFLARE_DATA_DIR), alongside a running `pyflare serve` too.
"""

from __future__ import annotations

import sys

from workers.env import default_django_settings


def _control_plane() -> None:
    default_django_settings()
    import django
    from django.core.management import call_command

    from workers.storage.datadir import data_dir

    data_dir().mkdir(parents=True, exist_ok=True, mode=0o700)  # where the SQLite control database lives

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)  # a fresh database works at once


def _fail(command: str, message: str) -> int:
    print(f"pyflare {command}: {message}", file=sys.stderr)
    return 2


def create_project(slug: str, name: str | None) -> int:
    _control_plane()
    from django.core.exceptions import ValidationError

    from webapp.projects.models import Project, slug_validator

    try:
        slug_validator(slug)
    except ValidationError:
        return _fail("projects create", f"{slug[:80]!r} is not a project slug: use 1-63 lower-case letters, digits, "
                                        "'-' or '_', starting with a letter or digit")
    if not Project.objects.filter(slug=slug).exists():
        from webapp.projects.lifecycle import TelemetryPurgeFailed, prepare_slug_for_reuse
        from webapp.projects.purging import purge_everywhere

        try:
            prepare_slug_for_reuse(slug, purge_everywhere)  # a deleted project's slug starts empty
        except TelemetryPurgeFailed as exc:
            return _fail("projects create", str(exc))
    project, created = Project.objects.get_or_create(slug=slug, defaults={"name": name or slug})
    print(f"project {project.slug!r} {'created' if created else 'already exists'}", file=sys.stderr)
    return 0


def list_projects() -> int:
    _control_plane()
    from webapp.projects.models import Project

    for project in Project.objects.all():
        print(f"{project.slug}\t{project.name}")
    return 0


def create_key(project_slug: str, role: str, name: str | None) -> int:
    _control_plane()
    from webapp.apikeys.models import ApiKey
    from webapp.projects.models import Project
    from webapp.rbac.registry import ROLES

    if role not in ROLES:
        return _fail("keys create", f"unknown role {role!r}; valid roles: {', '.join(ROLES)}")
    project = Project.objects.filter(slug=project_slug).first()
    if project is None:
        return _fail("keys create", f"no project {project_slug[:80]!r}; create it with `pyflare projects create`")
    key, plaintext = ApiKey.issue(project=project, name=name or f"{role} key (pyflare keys create)", role=role)
    print(f"API key {key.prefix}… (role {role!r}) for project {project.slug!r}; shown once, store it now:",
          file=sys.stderr)
    print(plaintext, flush=True)
    return 0


def list_keys(project_slug: str | None) -> int:
    _control_plane()
    from webapp.apikeys.models import ApiKey

    keys = ApiKey.objects.select_related("project")
    if project_slug:
        keys = keys.filter(project__slug=project_slug)
    for key in keys:
        print(f"{key.pk}\t{key.project.slug}\t{key.prefix}…\t{key.role}\t{key.status()}\t{key.name}")
    return 0


def revoke_key(prefix: str) -> int:
    _control_plane()
    from webapp.apikeys.models import ApiKey

    matches = list(ApiKey.objects.filter(prefix__startswith=prefix.rstrip("…")))
    if len(matches) != 1:
        return _fail("keys revoke", f"{len(matches)} keys start with {prefix[:40]!r}; give a prefix of exactly one")
    matches[0].revoke()
    print(f"revoked {matches[0].prefix}… of project {matches[0].project.slug!r}", file=sys.stderr)
    return 0

