"""Helpers of the telemetry API tests: API clients for the world's projects and a page walker.

The fixtures `module_storage` and `telemetry_store` live in tests/webapp/conftest.py."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.webapp.conftest import World

HOUR_NS = 3_600_000_000_000


def client_for(world: World, role: str = "developer", side: str = "own") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=(world.own if side == "own" else world.other).keys[role])
    return client


def walk(client: APIClient, url: str, key: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated listing, following next_cursor (at most 1000 pages)."""
    items: list[dict[str, Any]] = []
    query = dict(params or {})
    for _ in range(1000):
        response = client.get(url, query)
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        items.extend(body[key])
        if body["next_cursor"] is None:
            assert body["next"] is None
            return items
        assert f"cursor={body['next_cursor']}" in body["next"]
        query["cursor"] = body["next_cursor"]
    raise AssertionError("more than 1000 pages")
