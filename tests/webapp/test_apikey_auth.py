"""API key authentication: both header styles, refusals for unknown/revoked/expired keys, the key's
project only, the plaintext shown once and stored as a SHA-256 only, last use recorded."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.apikeys.models import ApiKey


def me(client: APIClient) -> tuple[int, dict]:
    response = client.get("/api/v1/auth/me")
    return response.status_code, response.json()


@pytest.mark.parametrize("style", ["x-api-key", "bearer"])
def test_both_header_styles_authenticate_as_the_keys_project(world: World, style: str) -> None:
    client = APIClient()
    plaintext = world.own.keys["operator"]
    if style == "bearer":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    else:
        client.credentials(HTTP_X_API_KEY=plaintext)
    status, body = me(client)
    assert status == 200
    assert body["kind"] == "api_key"
    (project,) = body["projects"]
    permissions = project.pop("permissions")
    assert project == {"slug": "own", "name": "Own", "role": "operator"}
    assert "traces:read" in permissions and "apikeys:manage" not in permissions  # an operator's, not an admin's


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_API_KEY": "pf_not-a-real-key-0000000000000000000000000"},
        {"HTTP_AUTHORIZATION": "Bearer pf_not-a-real-key-0000000000000000000000000"},
        {"HTTP_X_API_KEY": ""},
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer two parts"},
        {"HTTP_AUTHORIZATION": "Bearer \xff\xfe"},
    ],
)
def test_unknown_or_malformed_keys_are_401(world: World, headers: dict[str, str]) -> None:
    response = APIClient().get("/api/v1/auth/me", **headers)
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_is_401_not_403(world: World) -> None:
    response = APIClient().get("/api/v1/api-keys", headers={"X-PyFlare-Project": "own"})
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize("style", ["x-api-key", "bearer"])
def test_revoked_and_expired_keys_are_401(world: World, style: str) -> None:
    revoked, revoked_plain = ApiKey.issue(project=world.own.project, name="r", role="admin")
    revoked.revoke()
    _expired, expired_plain = ApiKey.issue(
        project=world.own.project, name="e", role="admin", expires_at=timezone.now() - timedelta(seconds=1)
    )
    for plaintext, word in ((revoked_plain, "revoked"), (expired_plain, "expired")):
        client = APIClient()
        if style == "bearer":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        else:
            client.credentials(HTTP_X_API_KEY=plaintext)
        status, body = me(client)
        assert status == 401, word
        assert word in body["message"]


def test_a_key_with_a_future_expiry_works(world: World) -> None:
    _key, plaintext = ApiKey.issue(
        project=world.own.project, name="f", role="viewer", expires_at=timezone.now() + timedelta(hours=1)
    )
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=plaintext)
    assert me(client)[0] == 200


def test_a_key_acts_for_its_project_only(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    assert client.get("/api/v1/api-keys").status_code == 200
    for url, headers in (
        ("/api/v1/api-keys", {"X-PyFlare-Project": "other"}),
        ("/api/v1/api-keys?project=other", {}),
        ("/api/v1/projects/other", {}),
        ("/api/v1/members", {"X-PyFlare-Project": "other"}),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.json() == {"error": "not_found", "message": "project 'other' not found"}


def test_the_plaintext_is_shown_once_and_only_its_sha256_is_stored(world: World) -> None:
    admin = APIClient()
    admin.force_login(world.own.members["admin"])
    created = admin.post(
        "/api/v1/api-keys",
        {"name": "exporter", "role": "developer"},
        format="json",
        headers={"X-PyFlare-Project": "own"},
    )
    assert created.status_code == 201
    plaintext = created.json()["key"]
    assert plaintext.startswith("pf_") and len(plaintext) >= 40
    stored = ApiKey.objects.get(pk=created.json()["id"])
    assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {str(v) for v in stored.__dict__.values()}
    assert stored.created_by == world.own.members["admin"]

    listed = admin.get("/api/v1/api-keys", headers={"X-PyFlare-Project": "own"})
    assert plaintext not in listed.content.decode()
    assert "key" not in listed.json()[0] and "key_hash" not in listed.json()[0]
    detail = admin.get(f"/api/v1/api-keys/{stored.pk}", headers={"X-PyFlare-Project": "own"})
    assert plaintext not in detail.content.decode()

    program = APIClient()
    program.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert me(program)[1]["projects"][0]["role"] == "developer"


def test_revoking_through_the_api_stops_the_key_at_once(world: World) -> None:
    admin = APIClient()
    admin.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    victim = ApiKey.objects.get(project=world.own.project, name="developer key")
    program = APIClient()
    program.credentials(HTTP_X_API_KEY=world.own.keys["developer"])
    assert me(program)[0] == 200
    response = admin.post(f"/api/v1/api-keys/{victim.pk}/revoke")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert me(program)[0] == 401
    again = admin.post(f"/api/v1/api-keys/{victim.pk}/revoke")
    assert again.json()["revoked_at"] == response.json()["revoked_at"]


def test_last_use_is_recorded(world: World, settings: object) -> None:
    key = ApiKey.objects.get(project=world.own.project, name="viewer key")
    assert key.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["viewer"])
    before = timezone.now()
    me(client)
    key.refresh_from_db()
    assert key.last_used_at is not None and key.last_used_at >= before
    first = key.last_used_at
    me(client)  # within the resolution window: no second write
    key.refresh_from_db()
    assert key.last_used_at == first
    settings.API_KEY_LAST_USED_RESOLUTION = 0  # type: ignore[attr-defined]
    me(client)
    key.refresh_from_db()
    assert key.last_used_at > first


def test_a_key_cannot_mint_a_stronger_key_or_create_projects(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    response = client.post("/api/v1/projects", {"slug": "new", "name": "New"}, format="json")
    assert response.status_code == 403
    assert "API keys act for one project" in response.json()["message"]


def test_a_new_key_needs_a_future_expiry_and_a_known_role(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    past = client.post(
        "/api/v1/api-keys", {"name": "k", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert past.status_code == 400 and "future" in past.json()["message"]
    bad_role = client.post("/api/v1/api-keys", {"name": "k", "role": "root"}, format="json")
    assert bad_role.status_code == 400 and "role" in bad_role.json()["details"]
