"""Drift's services refuse with domain errors (no HTTP in them, so a Celery job never raises an API
error); the views alone answer them, with the status and message a client needs."""

from __future__ import annotations

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.exceptions import APIException

from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for
from webapp.api.providers import providers
from webapp.api.telemetry import StorageUnavailable, telemetry_client
from webapp.drift import services
from webapp.drift.errors import DriftError, InvalidDriftInput, MonitorNotFound


def test_services_raise_domain_errors_not_http_ones(world: World, store: Client) -> None:
    project = world.own.project
    with pytest.raises(MonitorNotFound, match="no drift monitor for model 'absent'") as missing:
        services.monitor_for(project, "absent")
    with pytest.raises(InvalidDriftInput) as too_long:
        services.save_monitor(project, "m" * 257, {})
    with pytest.raises(InvalidDriftInput) as bad_upload:
        services.set_reference(services.ensure_monitor(project, "m1"), {"features": {"age": {}}}, "test",
                               client=lambda: store)  # fmt: skip
    for error in (missing.value, too_long.value, bad_upload.value):
        assert isinstance(error, DriftError) and not isinstance(error, APIException)
    assert too_long.value.field == "model_id"
    assert bad_upload.value.field == "reference"
    assert "send exactly one of values, histogram, quantiles, counts" in bad_upload.value.message


def test_views_answer_the_domain_errors_as_http(world: World, store: Client) -> None:
    operator = client_for(world, "operator")
    missing = operator.get("/api/v1/drift/absent/monitor")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert missing.json()["message"].startswith("no drift monitor for model 'absent'")
    refused = operator.post("/api/v1/drift/m1/reference", {"features": {"age": {}}}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "invalid"
    assert list(body["details"]) == ["reference"]
    assert "send exactly one of" in body["message"]
    unknown = operator.get("/api/v1/drift/absent")
    assert unknown.status_code == 404 and "no drift monitor or results" in unknown.json()["message"]


def test_an_unreachable_store_is_a_plain_error_below_the_api_and_a_503_above(world: World) -> None:
    def unreachable() -> Client:
        raise OSError("connection refused")

    with providers.telemetry.override(lambda: unreachable()):
        with pytest.raises(StorageUnavailable, match="cannot reach ClickHouse: OSError") as below:
            telemetry_client()  # what a service or a Celery job meets
        answer = client_for(world, "viewer").get("/api/v1/drift/any-model")
    assert not isinstance(below.value, APIException)
    assert answer.status_code == 503
    assert answer.json()["error"] == "storage_unavailable"
    assert "cannot reach ClickHouse: OSError: connection refused" in answer.json()["message"]
