"""Projects and memberships: who may create, rename, delete; member management; the last-admin rule;
and that no list or lookup ever shows another project's objects."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.apikeys.models import ApiKey
from webapp.projects.models import Membership, Project

OWN = {"X-PyFlare-Project": "own"}


def as_user(user: object) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_staff_create_projects_and_become_their_admin(world: World) -> None:
    staff = as_user(world.staff)
    response = staff.post("/api/v1/projects", {"slug": "support-bot", "name": "Support bot"}, format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "admin"
    assert Membership.objects.get(project__slug="support-bot").user == world.staff
    assert [p["slug"] for p in staff.get("/api/v1/projects").json()] == ["support-bot"]


def test_non_staff_cannot_create_projects(world: World) -> None:
    response = as_user(world.own.members["admin"]).post("/api/v1/projects", {"slug": "x", "name": "X"}, format="json")
    assert response.status_code == 403


def test_invalid_slugs_are_refused(world: World) -> None:
    staff = as_user(world.staff)
    for slug in ("Upper", "-lead", "has space", "x" * 64, ""):
        response = staff.post("/api/v1/projects", {"slug": slug, "name": "X"}, format="json")
        assert response.status_code == 400, slug
        assert "slug" in response.json()["details"]


def test_lists_show_only_the_callers_project(world: World) -> None:
    by_key = APIClient()
    by_key.credentials(HTTP_X_API_KEY=world.own.keys["viewer"])
    for client in (as_user(world.own.members["viewer"]), by_key):
        projects = client.get("/api/v1/projects").json()
        assert [p["slug"] for p in projects] == ["own"] and projects[0]["role"] == "viewer"
        members = client.get("/api/v1/members", headers=OWN).json()
        assert {m["email"].split("@")[1] for m in members} == {"own.example"}

    admin = APIClient()
    admin.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    keys = admin.get("/api/v1/api-keys").json()
    own_ids = set(ApiKey.objects.filter(project__slug="own").values_list("pk", flat=True))
    assert {k["id"] for k in keys} == own_ids


def test_other_projects_objects_are_404_by_id(world: World) -> None:
    admin = as_user(world.own.members["admin"])
    assert world.other.spare_key is not None and world.other.spare_membership is not None
    for method, url in (
        ("get", f"/api/v1/api-keys/{world.other.spare_key.pk}"),
        ("post", f"/api/v1/api-keys/{world.other.spare_key.pk}/revoke"),
        ("get", f"/api/v1/members/{world.other.spare_membership.pk}"),
        ("patch", f"/api/v1/members/{world.other.spare_membership.pk}"),
        ("delete", f"/api/v1/members/{world.other.spare_membership.pk}"),
    ):
        response = getattr(admin, method)(url, {"role": "admin"}, format="json", headers=OWN)
        assert response.status_code == 404, (method, url)
    world.other.spare_key.refresh_from_db()
    assert world.other.spare_key.revoked_at is None
    assert Membership.objects.filter(pk=world.other.spare_membership.pk, role="developer").exists()


def test_members_are_added_changed_and_removed(world: World) -> None:
    admin = as_user(world.own.members["admin"])
    added = admin.post("/api/v1/members", {"email": "ADA@example.com", "role": "operator"}, format="json", headers=OWN)
    assert added.status_code == 201 and added.json()["email"] == "ada@example.com"
    pk = added.json()["id"]
    changed = admin.patch(f"/api/v1/members/{pk}", {"role": "viewer"}, format="json", headers=OWN)
    assert changed.json()["role"] == "viewer"
    assert admin.delete(f"/api/v1/members/{pk}", headers=OWN).status_code == 204
    assert not Membership.objects.filter(pk=pk).exists()
    unknown = admin.post(
        "/api/v1/members", {"email": "nobody@example.com", "role": "viewer"}, format="json", headers=OWN
    )
    assert unknown.status_code == 400 and "no user" in unknown.json()["message"]


def test_the_last_admin_cannot_leave_or_be_demoted(world: World) -> None:
    admin_user = world.own.members["admin"]
    admin = as_user(admin_user)
    membership = Membership.objects.get(user=admin_user, project=world.own.project)
    demote = admin.patch(f"/api/v1/members/{membership.pk}", {"role": "viewer"}, format="json", headers=OWN)
    assert demote.status_code == 409 and "last admin" in demote.json()["message"]
    assert admin.delete(f"/api/v1/members/{membership.pk}", headers=OWN).status_code == 409
    Membership.objects.filter(pk=world.own.spare_membership.pk).update(role="admin")  # type: ignore[union-attr]
    assert admin.delete(f"/api/v1/members/{membership.pk}", headers=OWN).status_code == 204


def test_rename_keeps_the_slug_and_delete_removes_keys(world: World, telemetry_store: object) -> None:
    admin = as_user(world.own.members["admin"])
    renamed = admin.patch("/api/v1/projects/own", {"name": "Own (EU)", "slug": "hijack"}, format="json")
    assert renamed.status_code == 200 and renamed.json() == {**renamed.json(), "slug": "own", "name": "Own (EU)"}
    program = APIClient()
    program.credentials(HTTP_X_API_KEY=world.own.keys["developer"])
    assert program.get("/api/v1/auth/me").status_code == 200
    assert admin.delete("/api/v1/projects/own").status_code == 204
    assert not Project.objects.filter(slug="own").exists()
    assert program.get("/api/v1/auth/me").status_code == 401
    assert Project.objects.filter(slug="other").exists()
