"""DRF authentication by project API key: `X-API-Key: <key>` or `Authorization: Bearer <key>`.

A key authenticates as a `KeyPrincipal` of its project only (never as a user). Unknown, revoked and
expired keys are 401 with a message saying which; a request without a key falls through to the next
authenticator (session login for the UI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from webapp.apikeys.models import ApiKey
from webapp.apikeys.tokens import hash_key

API_KEY_HEADER = "X-API-Key"


@dataclass(frozen=True)
class KeyPrincipal:
    """What `request.user` is for a request authenticated by an API key."""

    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    is_api_key: bool = True
    pk: None = None

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}… of {self.api_key.project.slug}"


def authenticate_key(plaintext: str) -> tuple[KeyPrincipal, ApiKey]:
    plaintext = plaintext.strip()
    if not plaintext:
        raise AuthenticationFailed("empty API key")
    key = ApiKey.objects.select_related("project").filter(key_hash=hash_key(plaintext)).first()
    if key is None:
        raise AuthenticationFailed("invalid API key")
    now = timezone.now()
    status = key.status(now)
    if status != "active":
        raise AuthenticationFailed(f"API key {key.prefix}… is {status}")
    _touch(key, now)
    return KeyPrincipal(key), key


def _touch(key: ApiKey, now: datetime) -> None:
    resolution = timedelta(seconds=settings.API_KEY_LAST_USED_RESOLUTION)
    if key.last_used_at is None or now - key.last_used_at >= resolution:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


class HeaderKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[KeyPrincipal, ApiKey] | None:
        value = request.headers.get(API_KEY_HEADER)
        if value is None:
            return None
        return authenticate_key(value)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="pyflare"'


class BearerKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[KeyPrincipal, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("malformed Authorization header; expected 'Bearer <API key>'")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("invalid API key") from None
        return authenticate_key(token)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="pyflare"'
