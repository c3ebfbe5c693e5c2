"""The alerting API: rules, silences, maintenance windows and inhibition rules CRUD with 400s naming
the field, alerts listed with filters, acknowledged and resolved (each change an alert_events row),
developers read only, viewers nothing, and another project's objects are 404s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.alerting.models import Alert, AlertRule
from webapp.api.providers import providers
from webapp.costs.models import NotificationChannel
from webapp.projects.models import Project

RULE = {"name": "errors", "rule_type": "threshold", "severity": "critical",
        "config": {"metric": "error_rate", "operator": ">", "value": 0.05, "window": "5m", "group_by": ["model_id"]},
        "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h", "evaluation_interval": "1m",
        "labels": {"team": "ml"}}  # fmt: skip


@pytest.fixture
def events(query_storage: Client) -> Iterator[Client]:
    with providers.telemetry.override(lambda: query_storage):
        yield query_storage


def as_role(api: APIClient, world: World, role: str = "operator", side: str = "own") -> APIClient:
    api.credentials(HTTP_X_API_KEY=getattr(world, side).keys[role])
    return api


def alert(project: Project, model: str, state: str = "firing", severity: str = "warning") -> Alert:
    now = datetime.now(UTC)
    return Alert.objects.create(project=project, fingerprint=model[:16], labels={"alertname": "x", "model_id": model},
                                model_id=model, state=state, severity=severity, starts_at=now, updated_at=now)


def test_rules_crud_with_durations_and_channels(world: World, api: APIClient) -> None:
    client = as_role(api, world)
    channel = NotificationChannel.objects.create(project=world.own.project, name="hook", url="https://h.example.com/x")
    made = client.post("/api/v1/alerts/rules", {**RULE, "channels": [channel.pk]}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["group_interval"], body["repeat_interval"], body["channels"]) == ("5m", "4h", [channel.pk])
    assert AlertRule.objects.get(pk=body["id"]).group_interval == 300.0
    changed = client.patch(f"/api/v1/alerts/rules/{body['id']}", {"enabled": False, "group_wait": 10}, format="json")
    assert (changed.status_code, changed.json()["enabled"], changed.json()["group_wait"]) == (200, False, "10s")
    assert [r["name"] for r in client.get("/api/v1/alerts/rules").json()] == ["errors"]
    assert client.delete(f"/api/v1/alerts/rules/{body['id']}").status_code == 204
    assert client.get(f"/api/v1/alerts/rules/{body['id']}").status_code == 404


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"config": {"metric": "happiness", "operator": ">", "value": 1}}, "config", "metric 'happiness'"),
    ({"config": {"metric": "error_rate", "operator": "~", "value": 1}}, "config", "operator"),
    ({"config": {"metric": "error_rate", "operator": ">"}}, "config", "value must be a finite number"),
    ({"rule_type": "magic"}, "rule_type", "magic"),
    ({"group_wait": "soon"}, "group_wait", "not a duration"),
    ({"evaluation_interval": "1s"}, "evaluation_interval", "between"),
    ({"labels": {"bad label": "x"}}, "labels", "not a label name"),
    ({"rule_type": "composite", "config": {"expression": "999 and"}}, "config", "rule id was expected"),
    ({"rule_type": "composite", "config": {"expression": "999"}}, "config", "no rule 999"),
    ({"channels": [10_000]}, "channels", "Invalid pk"),
])  # fmt: skip
def test_bad_rules_are_400s_naming_the_field(world: World, api: APIClient, change: dict[str, Any], field: str,
                                             words: str) -> None:
    answer = as_role(api, world).post("/api/v1/alerts/rules", {**RULE, **change}, format="json")
    assert answer.status_code == 400, answer.json()
    assert words in str(answer.json()["details"][field])


def test_another_projects_objects_are_404s(world: World, api: APIClient, events: Client) -> None:
    theirs = as_role(APIClient(), world, side="other")
    rule_id = theirs.post("/api/v1/alerts/rules", RULE, format="json").json()["id"]
    silence_id = theirs.post("/api/v1/alerts/silences", {"matchers": ['model_id="m"'],
                                                         "ends_at": "2099-01-01T00:00:00Z"}, format="json").json()["id"]
    window_id = theirs.post("/api/v1/alerts/maintenance", {"name": "w", "weekdays": [5, 6]}, format="json").json()["id"]
    inhibition_id = theirs.post("/api/v1/alerts/inhibitions", {"name": "i", "source_matchers": ['severity="x"'],
                                                               "target_matchers": ['severity="y"']},
                                format="json").json()["id"]  # fmt: skip
    alert_id = alert(world.other.project, "m").pk
    mine = as_role(api, world)
    for path in (f"alerts/rules/{rule_id}", f"alerts/silences/{silence_id}", f"alerts/maintenance/{window_id}",
                 f"alerts/inhibitions/{inhibition_id}", f"alerts/{alert_id}"):
        assert mine.get(f"/api/v1/{path}").status_code == 404
        assert mine.patch(f"/api/v1/{path}", {"name": "mine now"}, format="json").status_code in (404, 405)
        assert mine.delete(f"/api/v1/{path}").status_code in (404, 405)
    assert theirs.get(f"/api/v1/alerts/inhibitions/{inhibition_id}").json()["name"] == "i"  # untouched
    actions = (f"alerts/{alert_id}/acknowledge", f"alerts/{alert_id}/resolve", f"alerts/silences/{silence_id}/expire")
    for action in actions:
        assert mine.post(f"/api/v1/{action}").status_code == 404
    assert mine.get("/api/v1/alerts").json()["alerts"] == []
    assert Alert.objects.get(pk=alert_id).state == "firing"


def test_alerts_list_filters_acknowledge_and_resolve(world: World, api: APIClient, events: Client) -> None:
    project = world.own.project
    a = alert(project, "gpt-4o", severity="critical")
    b = alert(project, "claude")
    alert(project, "old", state="resolved")
    client = as_role(api, world)
    listed = client.get("/api/v1/alerts?status=firing").json()
    assert {x["model_id"] for x in listed["alerts"]} == {"gpt-4o", "claude"}
    assert listed["counts"] == {"firing": 2, "acknowledged": 0, "resolved": 1}
    assert [x["id"] for x in client.get("/api/v1/alerts?severity=critical").json()["alerts"]] == [a.pk]
    assert [x["id"] for x in client.get("/api/v1/alerts?model_id=claude").json()["alerts"]] == [b.pk]
    assert client.get("/api/v1/alerts?status=sleeping").status_code == 400
    assert "limit" in client.get("/api/v1/alerts?limit=0").json()["details"]

    acked = client.post(f"/api/v1/alerts/{a.pk}/acknowledge").json()
    assert (acked["state"], acked["acknowledged_by"]) == ("acknowledged", "api-key:operator key")
    assert client.post(f"/api/v1/alerts/{a.pk}/acknowledge").status_code == 400
    resolved = client.post(f"/api/v1/alerts/{a.pk}/resolve").json()
    assert resolved["state"] == "resolved" and resolved["ends_at"] is not None
    assert client.post(f"/api/v1/alerts/{a.pk}/resolve").status_code == 400
    rows = events.query("SELECT event, actor FROM alert_events WHERE alert_id = {a:UInt64} ORDER BY time",
                        parameters={"a": a.pk}).result_rows
    assert rows == [("acknowledged", "api-key:operator key"), ("resolved", "api-key:operator key")]


def test_silences_expire_and_windows_validate(world: World, api: APIClient) -> None:
    client = as_role(api, world)
    ends = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    made = client.post("/api/v1/alerts/silences", {"matchers": ['model_id=~"gpt-.*"'], "ends_at": ends,
                                                   "comment": "deploy"}, format="json")  # fmt: skip
    assert made.status_code == 201 and made.json()["state"] == "active"
    assert made.json()["created_by"] == "api-key:operator key"
    expired = client.post(f"/api/v1/alerts/silences/{made.json()['id']}/expire").json()
    assert expired["state"] == "expired"
    for bad, field in (({"matchers": ['model_id=~".*"'], "ends_at": ends}, "matchers"),
                       ({"matchers": ["model_id~x"], "ends_at": ends}, "matchers"),
                       ({"matchers": ['a="b"'], "ends_at": "2000-01-01T00:00:00Z",
                         "starts_at": "2001-01-01T00:00:00Z"}, "ends_at")):  # fmt: skip
        answer = client.post("/api/v1/alerts/silences", bad, format="json")
        assert answer.status_code == 400 and field in answer.json()["details"], answer.json()

    window = client.post("/api/v1/alerts/maintenance", {"name": "nightly", "model_ids": ["gpt-4o"],
                                                        "weekdays": [0, 1, 2, 3, 4], "times": [["22:00", "24:00"]],
                                                        "timezone": "Europe/Paris"}, format="json")  # fmt: skip
    assert window.status_code == 201, window.json()
    bad_zone = client.post("/api/v1/alerts/maintenance", {"name": "x", "weekdays": [1], "timezone": "Mars/Base"},
                           format="json")  # fmt: skip
    assert bad_zone.status_code == 400 and "timezone" in bad_zone.json()["details"]
    inhibition = client.post("/api/v1/alerts/inhibitions", {"name": "i", "source_matchers": ['severity="critical"'],
                                                            "target_matchers": ['severity="warning"'],
                                                            "equal": ["model_id"]}, format="json")  # fmt: skip
    assert inhibition.status_code == 201


def test_developers_read_and_cannot_change(world: World, api: APIClient) -> None:
    assert as_role(APIClient(), world, role="viewer").get("/api/v1/alerts").status_code == 403  # no alerts:read
    client = as_role(api, world, role="developer")
    assert client.get("/api/v1/alerts/rules").status_code == 200
    assert client.post("/api/v1/alerts/rules", RULE, format="json").status_code == 403
    assert client.post(f"/api/v1/alerts/{alert(world.own.project, 'm').pk}/acknowledge").status_code == 403
