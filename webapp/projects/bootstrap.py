"""Headless first start from the environment, idempotent on every later start.

PYFLARE_INIT_PROJECT (slug, default `default`) is created if missing. PYFLARE_INIT_API_KEY becomes an
admin key of that project and PYFLARE_INIT_INGEST_KEY an ingest key (write telemetry only) of it (their
hashes are stored; an existing identical key is left alone, a revoked one stays revoked).
PYFLARE_INIT_ADMIN_EMAIL / PYFLARE_INIT_ADMIN_PASSWORD create a staff user who administers the project
(an existing user keeps their password). On the very first start — an empty control database — with
neither a key nor an email given, an admin user with a random password, an admin key and an ingest key
are made; the result carries those secrets so the caller can print them once.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from webapp.accounts.models import User, normalise_email
from webapp.apikeys.models import ApiKey
from webapp.apikeys.tokens import MIN_SUPPLIED_LENGTH, hash_key
from webapp.projects.models import Membership, Project, slug_validator
from webapp.rbac.catalogue import ADMIN, INGEST
from workers.env import env_optional, env_str

DEFAULT_PROJECT = "default"
GENERATED_ADMIN_EMAIL = "admin@pyflare.local"


class BootstrapError(ValueError):
    """The PYFLARE_INIT_* values cannot be honoured; the message names the variable."""


@dataclass(frozen=True)
class InitSettings:
    project: str = DEFAULT_PROJECT
    api_key: str | None = None
    ingest_key: str | None = None
    admin_email: str | None = None
    admin_password: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InitSettings:
        return cls(
            project=(env_str("PYFLARE_INIT_PROJECT", "", environ) or DEFAULT_PROJECT).strip(),
            api_key=env_optional("PYFLARE_INIT_API_KEY", environ),
            ingest_key=env_optional("PYFLARE_INIT_INGEST_KEY", environ),
            admin_email=env_optional("PYFLARE_INIT_ADMIN_EMAIL", environ),
            admin_password=env_str("PYFLARE_INIT_ADMIN_PASSWORD", "", environ) or None,  # blanks are a password
        )


@dataclass(frozen=True)
class BootstrapResult:
    project: str
    project_created: bool = False
    admin_email: str | None = None
    admin_created: bool = False
    admin_password: str | None = None  # set only when PyFlare generated it: print it once
    api_key_created: bool = False
    api_key: str | None = None  # set only when PyFlare generated it: print it once
    ingest_key: str | None = None  # set only when PyFlare generated it: print it once

    @property
    def has_secrets_to_show(self) -> bool:
        return self.admin_password is not None or self.api_key is not None or self.ingest_key is not None

    def announcement(self) -> str:
        """The one-time lines to print for generated credentials ('' when there are none)."""
        lines = []
        if self.admin_password is not None:
            lines.append(f"PyFlare admin login: {self.admin_email} / {self.admin_password}")
        if self.api_key is not None:
            lines.append(f"PyFlare admin API key for project {self.project!r}: {self.api_key}")
        if self.ingest_key is not None:
            lines.append(f"PyFlare ingest API key for project {self.project!r} (sends telemetry, reads nothing): "
                         f"{self.ingest_key}")
        if lines:
            lines.append("These are shown once; store them now.")
        return "\n".join(lines)


def bootstrap_from_env(environ: Mapping[str, str] | None = None) -> BootstrapResult:
    return bootstrap(InitSettings.from_env(environ))


def bootstrap(init: InitSettings) -> BootstrapResult:
    _validate(init)
    with transaction.atomic():
        first_start = not User.objects.exists() and not ApiKey.objects.exists()
        project, project_created = Project.objects.get_or_create(
            slug=init.project, defaults={"name": init.project.replace("-", " ").replace("_", " ").title()}
        )
        result = BootstrapResult(project=project.slug, project_created=project_created)
        if init.admin_email:
            result = _ensure_admin(result, project, init.admin_email, init.admin_password)
        if init.api_key:
            result = _ensure_key(result, project, init.api_key, ADMIN, "PYFLARE_INIT_API_KEY")
        if init.ingest_key:
            result = _ensure_key(result, project, init.ingest_key, INGEST, "PYFLARE_INIT_INGEST_KEY")
        if first_start and not init.admin_email and not init.api_key and not init.ingest_key:
            result = _ensure_admin(result, project, GENERATED_ADMIN_EMAIL, None)
            _key, plaintext = ApiKey.issue(project=project, name="generated at first start", role=ADMIN)
            _key, ingest = ApiKey.issue(project=project, name="ingest key generated at first start", role=INGEST)
            result = _replace(result, api_key_created=True, api_key=plaintext, ingest_key=ingest)
        return result


def _validate(init: InitSettings) -> None:
    try:
        slug_validator(init.project)
    except ValidationError:
        raise BootstrapError(
            f"PYFLARE_INIT_PROJECT={init.project!r}: use 1-63 lower-case letters, digits, '-' or '_'"
        ) from None
    for name, value in (("PYFLARE_INIT_API_KEY", init.api_key), ("PYFLARE_INIT_INGEST_KEY", init.ingest_key)):
        if value is not None and len(value) < MIN_SUPPLIED_LENGTH:
            raise BootstrapError(f"{name} must be at least {MIN_SUPPLIED_LENGTH} characters long")
    if init.api_key is not None and init.api_key == init.ingest_key:
        raise BootstrapError("PYFLARE_INIT_API_KEY and PYFLARE_INIT_INGEST_KEY must differ")
    if init.admin_password is not None and not init.admin_email:
        raise BootstrapError("PYFLARE_INIT_ADMIN_PASSWORD needs PYFLARE_INIT_ADMIN_EMAIL")


def _replace(result: BootstrapResult, **changes: object) -> BootstrapResult:
    return BootstrapResult(**{**result.__dict__, **changes})


def _ensure_admin(result: BootstrapResult, project: Project, email: str, password: str | None) -> BootstrapResult:
    email = normalise_email(email)
    user = User.objects.filter(email=email).first()
    created = user is None
    shown_password = None
    if user is None:
        chosen = password or secrets.token_urlsafe(18)
        user = User.objects.create_superuser(email, chosen)
        shown_password = None if password else chosen
    Membership.objects.get_or_create(user=user, project=project, defaults={"role": ADMIN})
    return _replace(result, admin_email=email, admin_created=created, admin_password=shown_password)


def _ensure_key(result: BootstrapResult, project: Project, plaintext: str, role: str, variable: str) -> BootstrapResult:
    existing = ApiKey.objects.select_related("project").filter(key_hash=hash_key(plaintext)).first()
    if existing is not None:
        if existing.project_id != project.pk:
            raise BootstrapError(
                f"{variable} already belongs to project {existing.project.slug!r}, not {project.slug!r}"
            )
        if existing.role != role:
            raise BootstrapError(f"{variable} is already a key with role {existing.role!r}, not {role!r}")
        return result
    ApiKey.issue(project=project, name=variable, role=role, plaintext=plaintext)
    return _replace(result, api_key_created=True)
