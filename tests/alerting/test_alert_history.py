"""An alert's history over REST (GET /api/v1/alerts/{id}/history, read from alert_events): the
firing recorded by a real evaluation over seeded spans, then the hand-made acknowledge and resolve
with who did them, oldest first; another project's alert is a 404 and a viewer is refused."""

from __future__ import annotations

import time
from datetime import datetime

from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.alerting.conftest import seed
from tests.alerting.world import rule
from tests.webapp.conftest import World
from webapp.alerting.models import Alert
from webapp.alerting.pipeline import tick


def test_history_lists_the_alerts_events_in_order(world: World, api: APIClient, store: Client) -> None:
    project = world.own.project
    now = float(int(time.time()))
    seed(store, project.slug, [{"service": "chat", "model": "m", "start": now - 60 + i, "ms": 5.0, "input": 1,
                                "output": 1} for i in range(3)])  # fmt: skip
    made = rule(project, "traffic", "threshold", {"metric": "request_count", "operator": ">", "value": 2,
                                                  "window": "5m", "group_by": ["model_id"]})  # fmt: skip
    assert tick(store, now).errors == []
    alert = Alert.objects.get(rule=made)
    api.credentials(HTTP_X_API_KEY=world.own.keys["operator"])
    assert api.post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 200
    assert api.post(f"/api/v1/alerts/{alert.pk}/resolve").status_code == 200

    api.credentials(HTTP_X_API_KEY=world.own.keys["developer"])
    answer = api.get(f"/api/v1/alerts/{alert.pk}/history")
    assert answer.status_code == 200, answer.json()
    events = answer.json()
    assert [(e["event"], e["state"]) for e in events] == [
        ("firing", "firing"),
        ("acknowledged", "acknowledged"),
        ("resolved", "resolved"),
    ]
    assert events[0]["value"] == 3.0
    assert {e["actor"] for e in events[1:]} == {"api-key:operator key"}
    times = [datetime.fromisoformat(e["time"]) for e in events]
    assert times == sorted(times)

    api.credentials(HTTP_X_API_KEY=world.other.keys["admin"])
    assert api.get(f"/api/v1/alerts/{alert.pk}/history").status_code == 404
    api.credentials(HTTP_X_API_KEY=world.own.keys["viewer"])
    assert api.get(f"/api/v1/alerts/{alert.pk}/history").status_code == 403
