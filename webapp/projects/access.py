"""Which project a request acts on, and with which role.

The scheme, one for every project-scoped endpoint:
- an API key implies its project; naming any other project is a 404;
- a signed-in user names the project with the `X-PyFlare-Project` header or the `project` query
  parameter (for links and downloads), or in the URL for `/projects/{slug}` itself; a project the
  user is not a member of is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request

from webapp.apikeys.authentication import KeyPrincipal
from webapp.apikeys.models import ApiKey
from webapp.projects.models import Membership, Project
from webapp.rbac import registry

PROJECT_HEADER = "X-PyFlare-Project"
PROJECT_QUERY_PARAM = "project"


class ProjectNotNamed(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "project_required"


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    role: str
    api_key: ApiKey | None = None

    def can(self, permission: str) -> bool:
        return registry.grants(self.role, permission)


def project_not_found(slug: str) -> NotFound:
    return NotFound(f"project {slug!r} not found")


def requested_slug(request: Request, view: Any = None) -> str | None:
    url_kwarg = getattr(view, "project_url_kwarg", None)
    kwargs = getattr(view, "kwargs", None) or {}
    if url_kwarg and url_kwarg in kwargs:
        return str(kwargs[url_kwarg])
    header = request.headers.get(PROJECT_HEADER) or None
    param = request.query_params.get(PROJECT_QUERY_PARAM) or None
    if header and param and header != param:
        raise ProjectNotNamed(f"the {PROJECT_HEADER} header ({header!r}) and ?project= ({param!r}) disagree")
    return header or param


def project_access(request: Request, view: Any = None) -> ProjectAccess:
    """The caller's project and role for this request (cached on the request)."""
    cached: ProjectAccess | None = getattr(request, "_pyflare_project_access", None)
    if cached is not None:
        return cached
    principal = request.user
    slug = requested_slug(request, view)
    if isinstance(principal, KeyPrincipal):
        key = principal.api_key
        if slug is not None and slug != key.project.slug:
            raise project_not_found(slug)
        access = ProjectAccess(key.project, key.role, key)
    else:
        if slug is None:
            mine = ", ".join(Membership.objects.filter(user=principal).values_list("project__slug", flat=True))
            raise ProjectNotNamed(
                f"name the project with the {PROJECT_HEADER} header or the ?{PROJECT_QUERY_PARAM}= "
                f"parameter; your projects: {mine or 'none'}"
            )
        membership = Membership.objects.select_related("project").filter(user=principal, project__slug=slug).first()
        if membership is None:
            raise project_not_found(slug)
        access = ProjectAccess(membership.project, membership.role)
    request._pyflare_project_access = access  # type: ignore[attr-defined]
    return access


class ProjectScoped:
    """Mixin for views acting on one project: `self.access` is the caller's project and role."""

    request: Request

    @property
    def access(self) -> ProjectAccess:
        return project_access(self.request, self)
