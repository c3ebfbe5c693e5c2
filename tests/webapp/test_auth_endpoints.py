"""Session login for the UI: login, me, logout, CSRF on unsafe methods, login throttling."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.webapp.conftest import KNOWN_PASSWORD, World
from webapp.projects.models import Membership


def test_login_me_logout(world: World) -> None:
    Membership.objects.create(user=world.outsider, project=world.own.project, role="viewer")
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login", {"email": "ADA@example.com", "password": KNOWN_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    (project,) = response.json()["projects"]
    assert {k: project[k] for k in ("slug", "name", "role")} == {"slug": "own", "name": "Own", "role": "viewer"}
    # the seed's viewer reads telemetry but manages nothing (the UI hides what a role cannot do)
    assert {"traces:read", "metrics:read", "drift:read"} <= set(project["permissions"])
    assert not {"apikeys:manage", "projects:admin", "query:execute"} & set(project["permissions"])
    assert "sessionid" in response.cookies
    me = client.get("/api/v1/auth/me")
    assert me.json()["kind"] == "user" and me.json()["email"] == "ada@example.com"
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code in (401, 403)


def test_wrong_password_is_401(world: World) -> None:
    response = APIClient().post("/api/v1/auth/login", {"email": "ada@example.com", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert "wrong email or password" in response.json()["message"]


def test_an_inactive_user_cannot_log_in(world: World) -> None:
    world.outsider.is_active = False
    world.outsider.save()
    response = APIClient().post(
        "/api/v1/auth/login", {"email": "ada@example.com", "password": KNOWN_PASSWORD}, format="json"
    )
    assert response.status_code == 401


def test_session_writes_need_the_csrf_token(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    credentials = {"email": "ada@example.com", "password": KNOWN_PASSWORD}
    # logging in is a session write too (login CSRF): refused without the token, named in the message
    forged = client.post("/api/v1/auth/login", credentials, format="json")
    assert forged.status_code == 403 and "CSRF" in forged.json()["message"], forged.content
    assert "sessionid" not in forged.cookies
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    assert client.cookies["csrftoken"].value
    login = client.post("/api/v1/auth/login", credentials, format="json", headers={"X-CSRFToken": token})
    assert login.status_code == 200
    refused = client.post("/api/v1/auth/logout")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    token = client.cookies["csrftoken"].value
    assert client.post("/api/v1/auth/logout", headers={"X-CSRFToken": token}).status_code == 204


def test_keys_need_no_csrf_token(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    assert client.post("/api/v1/api-keys", {"name": "k", "role": "viewer"}, format="json").status_code == 201


def test_logins_are_throttled(world: World, settings: object) -> None:
    client = APIClient()
    statuses = [  # different accounts: the per-address limit (the per-account one is lower)
        client.post(
            "/api/v1/auth/login", {"email": f"u{i}@example.com", "password": "guess"}, format="json"
        ).status_code
        for i in range(25)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429] * 5
    last = client.post("/api/v1/auth/login", {"email": "ada@example.com", "password": "guess"}, format="json")
    assert last.json()["error"] == "throttled" and last.json()["retry_after_seconds"] > 0
