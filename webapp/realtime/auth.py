"""Who a websocket client is and which project it sees.

An API key implies its project; it comes in the `X-API-Key` or `Authorization: Bearer` header of the
upgrade request, or as the first message `{"type": "auth", "api_key": "<key>"}` (browsers cannot set
headers on websockets). Never in the URL: URLs end up in proxy logs and browser history, so
`?api_key=` is refused. A signed-in user (session cookie) names the project with `?project=` and must
be a member; a browser's Origin must then be an allowed host, so another site cannot open the socket
with the user's cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.security.websocket import AllowedHostsOriginValidator
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from webapp.apikeys.authentication import authenticate_key
from webapp.apikeys.models import ApiKey
from webapp.projects.models import Membership
from webapp.rbac import registry
from webapp.serve.credentials import bearer_or_header_key

BAD_REQUEST = 4400  # websocket close codes 4000-4999 are the application's
UNAUTHENTICATED = 4401
FORBIDDEN = 4403
KEY_IN_URL = (
    "API keys are not accepted in the URL; send the key in the X-API-Key or Authorization: Bearer header, "
    'or as the first message {"type": "auth", "api_key": "<key>"}'
)


class CredentialsMissing(Exception):
    """No key and no session yet: the client may still authenticate with its first message."""


class StreamRefused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StreamAccess:
    project: str
    role: str
    via: str  # "api_key" | "session"
    key_id: int | None = None  # the API key's id, re-checked while the socket is open

    def can(self, permission: str) -> bool:
        return registry.grants(self.role, permission)


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def stream_access(scope: dict[str, Any], first_message_key: str | None = None) -> StreamAccess:
    """Authenticate a websocket scope (reads the control database: call through database_sync_to_async).

    CredentialsMissing: neither a key nor a session; the first message may carry the key."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "api_key" in query:
        raise StreamRefused(BAD_REQUEST, KEY_IN_URL)
    headers = _headers(scope)
    key = first_message_key or bearer_or_header_key(headers.get("x-api-key"), headers.get("authorization"))
    if key:
        try:
            _principal, api_key = authenticate_key(key)
        except AuthenticationFailed as exc:
            raise StreamRefused(UNAUTHENTICATED, str(exc.detail)) from None
        named = (query.get("project") or [None])[0]
        if named and named != api_key.project.slug:
            raise StreamRefused(FORBIDDEN, f"project {named!r} not found")
        return StreamAccess(api_key.project.slug, api_key.role, "api_key", api_key.pk)
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        raise CredentialsMissing()
    origin = headers.get("origin")
    if origin and not AllowedHostsOriginValidator(None).valid_origin(urlparse(origin)):
        raise StreamRefused(FORBIDDEN, f"origin {origin!r} is not an allowed host")
    slug = (query.get("project") or [None])[0]
    if not slug:
        raise StreamRefused(FORBIDDEN, "name the project with ?project=<slug>")
    membership = Membership.objects.select_related("project").filter(user=user, project__slug=slug).first()
    if membership is None:
        raise StreamRefused(FORBIDDEN, f"project {slug!r} not found")
    return StreamAccess(slug, membership.role, "session")


def key_is_active(key_id: int) -> bool:
    """Whether the key a socket opened with may still be used (not revoked, expired or deleted)."""
    key = ApiKey.objects.filter(pk=key_id).first()
    return key is not None and key.status(timezone.now()) == "active"
