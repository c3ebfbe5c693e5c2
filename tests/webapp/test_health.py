"""Liveness and readiness, and the readiness check registry other components plug into."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.api.readiness import register_check, registered_checks, unregister_check


@pytest.fixture
def broken_dependency() -> Iterator[None]:
    def clickhouse() -> str:
        raise ConnectionError("connection refused by 127.0.0.1:8123")

    register_check("clickhouse", clickhouse)
    yield
    unregister_check("clickhouse")


def test_health_needs_nothing() -> None:
    response = APIClient().get("/api/v1/health", HTTP_X_API_KEY="not even a key")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_checks_the_control_database(world: World) -> None:
    response = APIClient().get("/api/v1/ready", HTTP_X_API_KEY=world.own.keys["viewer"])
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["control_db"]["ok"] is True
    assert "reachable" in body["checks"]["control_db"]["detail"]


@pytest.mark.django_db
def test_anonymous_callers_see_only_the_status(broken_dependency: None) -> None:
    # the checks' texts name addresses and paths: a probe without credentials gets the verdict only
    response = APIClient().get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready"}
    unregister_check("clickhouse")
    response = APIClient().get("/api/v1/ready")
    assert response.status_code == 200 and response.json() == {"status": "ready"}


def test_a_failing_registered_check_makes_it_not_ready(world: World, broken_dependency: None) -> None:
    response = APIClient().get("/api/v1/ready", HTTP_X_API_KEY=world.own.keys["viewer"])
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["control_db"]["ok"] is True
    assert body["checks"]["clickhouse"] == {
        **body["checks"]["clickhouse"],
        "ok": False,
        "detail": "ConnectionError: connection refused by 127.0.0.1:8123",
    }


UNREACHABLE_DB_PROBE = """
import django, json
django.setup()
from rest_framework.test import APIClient
response = APIClient().get("/api/v1/ready", HTTP_HOST="localhost")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_ready_without_a_database_is_503_not_500(tmp_path: Path) -> None:
    # a fresh interpreter whose control database is a PostgreSQL server that is not there
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
        "PYFLARE_DATA_DIR": str(tmp_path),
        "PYFLARE_DATABASE_URL": "postgres://pyflare:none@127.0.0.1:1/pyflare",
    }
    out = subprocess.run(
        [sys.executable, "-c", UNREACHABLE_DB_PROBE], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"] == {"status": "not_ready"}  # anonymous: no check texts


def test_checks_can_be_replaced_and_removed() -> None:
    register_check("extra", lambda: "fine")
    register_check("extra", lambda: "still fine")
    assert registered_checks().count("extra") == 1
    unregister_check("extra")
    assert "extra" not in registered_checks()
