"""The control plane's side of intake keys: which keys may write which signal into which project, the
short cache in front of the database, and the `ingest` role (made by admins, reading nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.apikeys.intake import IntakeKeys, IntakeRefused
from webapp.apikeys.models import ApiKey
from webapp.rbac.registry import ROLES, grants


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("signal", ["traces", "metrics", "logs"])
def test_ingest_and_admin_keys_write_every_signal_into_their_project(world: World, signal: str) -> None:
    keys = IntakeKeys()
    assert keys.project_for(world.own.keys["ingest"], signal) == "own"
    assert keys.project_for(world.other.keys["admin"], signal) == "other"


@pytest.mark.parametrize("role", ["developer", "viewer", "operator"])
def test_reading_roles_cannot_write(world: World, role: str) -> None:
    with pytest.raises(IntakeRefused) as refused:
        IntakeKeys().project_for(world.own.keys[role], "traces")
    assert refused.value.kind == "forbidden" and "'traces:write'" in refused.value.message


def test_unknown_revoked_and_overlong_keys_are_unauthenticated(world: World) -> None:
    world.own.spare_key.revoke()  # type: ignore[union-attr]
    keys = IntakeKeys()
    for plaintext, says in (("pf_nobody", "invalid API key"), ("x" * 600, "invalid API key"),
                            (ApiKey.issue(project=world.own.project, name="r", role="ingest")[1], None)):
        if says is None:  # a key revoked after it was made
            ApiKey.objects.filter(project=world.own.project, name="r").get().revoke()
            says = "is revoked"
        with pytest.raises(IntakeRefused) as refused:
            keys.project_for(plaintext, "traces")
        assert refused.value.kind == "unauthenticated" and says in refused.value.message


def test_answers_are_cached_for_the_ttl_then_read_again(world: World, django_assert_num_queries: Any) -> None:
    clock = Clock()
    keys = IntakeKeys(ttl_seconds=10, clock=clock)
    plaintext = world.own.keys["ingest"]
    assert keys.project_for(plaintext, "traces") == "own"
    ApiKey.objects.filter(project=world.own.project, role="ingest").get().revoke()
    with django_assert_num_queries(0):  # cached: no database read per export
        for _ in range(100):
            assert keys.project_for(plaintext, "logs") == "own"
    clock.now += 10.5
    with pytest.raises(IntakeRefused) as refused:
        keys.project_for(plaintext, "traces")
    assert "revoked" in refused.value.message


def test_bad_keys_are_cached_too(world: World, django_assert_num_queries: Any) -> None:
    keys = IntakeKeys(ttl_seconds=10, clock=Clock())
    with pytest.raises(IntakeRefused):
        keys.project_for("pf_guess_one", "traces")
    with django_assert_num_queries(0):
        for _ in range(50):
            with pytest.raises(IntakeRefused):
                keys.project_for("pf_guess_one", "traces")


def test_the_ingest_role_writes_and_reads_nothing() -> None:
    writes = {"traces:write", "metrics:write", "logs:write"}
    assert all(grants("ingest", p) for p in writes)
    reads = ["traces:read", "metrics:read", "costs:read", "costs:read:own", "drift:read", "alerts:read",
             "query:execute", "projects:read", "apikeys:manage"]
    assert not any(grants("ingest", p) for p in reads)
    assert set(ROLES["ingest"].grants) == writes


def test_an_admin_makes_an_ingest_key_over_the_api_and_it_reads_nothing(world: World) -> None:
    admin = APIClient()
    admin.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    made = admin.post("/api/v1/api-keys", {"name": "exporter", "role": "ingest"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["role"] == "ingest"
    assert IntakeKeys().project_for(made.json()["key"], "metrics") == "own"
    ingest = APIClient()
    ingest.credentials(HTTP_X_API_KEY=made.json()["key"])
    for path in ("/api/v1/traces", "/api/v1/api-keys", "/api/v1/members", "/api/v1/costs"):
        assert ingest.get(path).status_code == 403, path
    assert ingest.post("/api/v1/query", {"sql": "SELECT 1"}, format="json").status_code == 403


def test_a_developer_cannot_make_an_ingest_key(world: World) -> None:
    developer = APIClient()
    developer.force_authenticate(world.own.members["developer"])
    made = developer.post("/api/v1/api-keys", {"name": "exporter", "role": "ingest"}, format="json",
                          headers={"X-PyFlare-Project": "own"})
    assert made.status_code == 403
