"""Who may call an endpoint, read from the view itself; used by the schema and the RBAC tests.

`public` needs no credentials, `user` any signed-in user or key, `project` a permission in the
request's project, `installation` a staff user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rest_framework.permissions import AllowAny

from webapp.rbac import registry
from webapp.rbac.permissions import declared_permission

AccessScope = Literal["public", "user", "project", "installation"]


@dataclass(frozen=True)
class EndpointAccess:
    scope: AccessScope
    permission: str | None = None
    project_from_url: str | None = None  # URL kwarg naming the project, if the path carries it

    def as_extension(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scope": self.scope}
        if self.permission:
            out["permission"] = self.permission
        if self.project_from_url:
            out["project_from_url"] = self.project_from_url
        return out


def endpoint_access(view: Any, method: str) -> EndpointAccess:
    name = declared_permission(view, method)
    url_kwarg = getattr(view, "project_url_kwarg", None)
    if name is not None:
        return EndpointAccess(registry.permission(name).scope, name, url_kwarg)
    classes = getattr(view, "permission_classes", ())
    if any(c is AllowAny or (isinstance(c, type) and issubclass(c, AllowAny)) for c in classes):
        return EndpointAccess("public")
    return EndpointAccess("user")
