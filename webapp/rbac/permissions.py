"""The DRF permission class that enforces the permission each endpoint declares.

A view declares `required_permissions = {"GET": "traces:read", "POST": ...}` (None for "any signed-in
caller"); a method a view implements but leaves out of its declaration is refused. Project-scoped
permissions are checked against the caller's role in the request's project (see
webapp.projects.access for how the project is chosen); installation-scoped ones need a staff user.
Order of refusals: no credentials → 401, project unknown or not the caller's → 404, role lacks the
permission → 403.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from webapp.rbac import registry


def _declared_method(method: str) -> str:
    method = method.upper()
    return "GET" if method in ("HEAD", "OPTIONS") else method


def declared_permission(view: Any, method: str) -> str | None:
    """The permission a view requires for an HTTP method (HEAD and OPTIONS follow GET)."""
    declared: dict[str, str | None] = getattr(view, "required_permissions", None) or {}
    return declared.get(_declared_method(method))


def undeclared(view: Any, method: str) -> bool:
    """A view with a declaration that implements this method without naming its permission."""
    declared = getattr(view, "required_permissions", None)
    method = _declared_method(method)
    return declared is not None and method not in declared and hasattr(view, method.lower())


class HasDeclaredPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        method = request.method or "GET"
        if undeclared(view, method):
            raise PermissionDenied(f"this endpoint declares no permission for {method}; refusing")  # fail closed
        name = declared_permission(view, method)
        if name is None:
            return True
        perm = registry.permission(name)
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if perm.scope == "installation":
            if getattr(user, "is_api_key", False):
                raise PermissionDenied(f"API keys act for one project and cannot use {name!r}; sign in as staff")
            if user.is_staff:
                return True
            raise PermissionDenied(f"{name!r} is reserved to staff users")

        from webapp.projects.access import project_access  # the projects app depends on this module

        access = project_access(request, view)
        if registry.grants(access.role, name):
            return True
        raise PermissionDenied(f"your role {access.role!r} in project {access.project.slug!r} does not grant {name!r}")
