"""Saved views of the trace explorer over REST: the owner's round trip, sharing, who may edit
(owner or admin), API keys, other projects, and the messages of bad input."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.webapp.conftest import World

QUERY = "model=gpt-4o&status=error&attr.customer.tier=pro&cols=region"


def _as(world: World, role: str, slug: str = "own") -> APIClient:
    client = APIClient()
    side = world.own if slug == "own" else world.other
    client.force_authenticate(side.members[role])
    client.credentials(HTTP_X_PYFLARE_PROJECT=slug)
    return client


def _save(client: APIClient, **body: Any) -> Any:
    return client.post("/api/v1/traces/views", {"name": "errors", "query": QUERY, "shared": False, **body},
                       format="json")


def test_the_owner_saves_lists_renames_and_deletes_a_view(world: World) -> None:
    dev = _as(world, "developer")
    created = _save(dev, query="?" + QUERY)
    assert created.status_code == 201, created.content
    view = created.json()
    assert (view["name"], view["query"], view["shared"], view["owner"], view["can_edit"]) == (
        "errors", QUERY, False, "developer@own.example", True)
    assert [v["id"] for v in dev.get("/api/v1/traces/views").json()] == [view["id"]]
    renamed = dev.patch(f"/api/v1/traces/views/{view['id']}", {"name": "failing gpt-4o"}, format="json")
    assert renamed.json()["name"] == "failing gpt-4o" and renamed.json()["query"] == QUERY
    assert dev.delete(f"/api/v1/traces/views/{view['id']}").status_code == 204
    assert dev.get("/api/v1/traces/views").json() == []


def test_viewers_see_shared_views_only_and_cannot_change_them(world: World) -> None:
    dev = _as(world, "developer")
    private = _save(dev, name="mine").json()
    shared = _save(dev, name="team", shared=True).json()
    viewer = _as(world, "viewer")
    seen = viewer.get("/api/v1/traces/views").json()
    assert [(v["id"], v["can_edit"]) for v in seen] == [(shared["id"], False)]
    assert viewer.get(f"/api/v1/traces/views/{private['id']}").status_code == 404
    refused = viewer.patch(f"/api/v1/traces/views/{shared['id']}", {"name": "x"}, format="json")
    assert refused.status_code == 403 and "traces:views:manage" in refused.json()["message"]
    assert viewer.delete(f"/api/v1/traces/views/{shared['id']}").status_code == 403
    # the viewer saves their own, which the developer does not see while it is private
    own = _save(viewer, name="viewer's").json()
    assert own["id"] not in [v["id"] for v in dev.get("/api/v1/traces/views").json()]


def test_an_admin_edits_a_shared_view_of_someone_else(world: World) -> None:
    shared = _save(_as(world, "developer"), shared=True).json()
    admin = _as(world, "admin")
    assert admin.get("/api/v1/traces/views").json()[0]["can_edit"] is True
    changed = admin.patch(f"/api/v1/traces/views/{shared['id']}", {"name": "renamed"}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "renamed"
    assert admin.delete(f"/api/v1/traces/views/{shared['id']}").status_code == 204
    # unshared by an admin, a view is its owner's private one again: out of the admin's list
    other = _save(_as(world, "developer"), name="other", shared=True).json()
    assert admin.patch(f"/api/v1/traces/views/{other['id']}", {"shared": False}, format="json").status_code == 200
    assert admin.get(f"/api/v1/traces/views/{other['id']}").status_code == 404
    assert _as(world, "developer").get(f"/api/v1/traces/views/{other['id']}").json()["shared"] is False


def test_views_of_another_project_are_404s(world: World) -> None:
    shared = _save(_as(world, "developer"), shared=True).json()
    other = _as(world, "admin", "other")
    assert other.get("/api/v1/traces/views").json() == []
    assert other.get(f"/api/v1/traces/views/{shared['id']}").status_code == 404
    assert other.delete(f"/api/v1/traces/views/{shared['id']}").status_code == 404


def test_api_keys_read_shared_views_but_cannot_own_one(world: World) -> None:
    shared = _save(_as(world, "developer"), shared=True).json()
    key = APIClient()
    key.credentials(HTTP_X_API_KEY=world.own.keys["viewer"])
    assert [v["id"] for v in key.get("/api/v1/traces/views").json()] == [shared["id"]]
    refused = _save(key, name="by key")
    assert refused.status_code == 400 and "signed-in user" in refused.json()["message"]


@pytest.mark.parametrize("body, field, words", [
    ({"name": "  "}, "name", "blank"),
    ({"query": "model=x&colour=red"}, "query", "colour"),
    ({"query": "a" * 4001}, "query", "4000"),
    ({"shared": "perhaps"}, "shared", "shared"),
])
def test_bad_views_are_400s_naming_the_field(world: World, body: dict[str, Any], field: str, words: str) -> None:
    response = _save(_as(world, "developer"), **body)
    assert response.status_code == 400 and field in response.json()["message"] and words in response.json()["message"]


def test_a_second_view_of_the_same_name_is_a_400(world: World) -> None:
    dev = _as(world, "developer")
    assert _save(dev).status_code == 201
    again = _save(dev)
    assert again.status_code == 400 and "already have a view" in again.json()["message"]
