"""Each rule type fires on seeded span data (the `bad` model) and stays quiet on control data (the
`good` model), evaluated by the pipeline over the real ClickHouse engine. Expected outcomes follow
from the seeded numbers: bad errs on half its requests, quadrupled its traffic against a steady
baseline, and logs rate-limit errors; good does none of it."""

from __future__ import annotations

import time
from typing import Any

from clickhouse_connect.driver.client import Client

from tests.alerting.conftest import seed
from tests.alerting.world import firing, rule
from tests.webapp.conftest import World
from webapp.alerting.models import Alert
from webapp.alerting.pipeline import tick

NOW = float(int(time.time()))
WINDOW = 300.0


def traffic(client: Client, project: str) -> None:
    rows: list[dict[str, Any]] = []
    for i in range(20):  # this window: bad errs on every other request and is slow; good is clean
        rows.append({"service": "chat", "model": "bad", "start": NOW - 290 + i * 14, "ms": 2000.0, "input": 10,
                     "output": 5, "error": "rate limit exceeded" if i % 2 else None})
        rows.append({"service": "chat", "model": "good", "start": NOW - 290 + i * 14, "ms": 100.0, "input": 10,
                     "output": 5})
    for k, (bad, good) in enumerate([(4, 19), (5, 20), (6, 21), (5, 20), (4, 19), (6, 21)], start=1):
        start = NOW - WINDOW * (k + 1)  # six earlier windows: bad ~5 requests, good ~20
        rows += [{"service": "chat", "model": "bad", "start": start + 5 + j, "ms": 100.0, "input": 1, "output": 1}
                 for j in range(bad)]
        rows += [{"service": "chat", "model": "good", "start": start + 5 + j, "ms": 100.0, "input": 1, "output": 1}
                 for j in range(good)]
    seed(client, project, rows)


def test_each_rule_type_fires_on_seeded_data_and_stays_quiet_on_control(world: World, store: Client) -> None:
    project = world.own.project
    traffic(store, project.slug)
    by_model = {"group_by": ["model_id"], "window": "5m"}
    threshold = rule(project, "errors", "threshold", {"metric": "error_rate", "operator": ">", "value": 0.1,
                                                      **by_model})
    latency = rule(project, "slow", "threshold", {"metric": "latency_p95_ms", "operator": ">=", "value": 1000,
                                                  **by_model})
    rate = rule(project, "traffic jump", "rate", {"metric": "request_count", "operator": ">", "value": 100,
                                                  **by_model})
    anomaly = rule(project, "unusual traffic", "anomaly", {"metric": "request_count", "direction": "up",
                                                           "sensitivity": 3, **by_model})
    pattern = rule(project, "rate limits", "pattern", {"source": "spans", "field": "status_message",
                                                       "pattern": "rate limit.*", "operator": ">", "value": 3,
                                                       **by_model})
    both = rule(project, "errors and rate limits", "composite", {"expression": f"{threshold.pk} and {pattern.pk}"})
    neither = rule(project, "errors without rate limits", "composite",
                   {"expression": f"{threshold.pk} and not {pattern.pk}"})

    report = tick(store, NOW)

    assert report.errors == []
    for fired in (threshold, latency, rate, anomaly, pattern):
        assert firing(fired) == {"bad"}, fired.name
    assert Alert.objects.filter(rule=both).exclude(state="resolved").count() == 1
    assert Alert.objects.filter(rule=neither).count() == 0
    errors = Alert.objects.get(rule=threshold)
    assert errors.value == 0.5 and errors.labels["alertname"] == "errors" and errors.labels["model_id"] == "bad"
    assert Alert.objects.get(rule=pattern).value == 10.0  # ten rate-limit errors in the window

    # evaluated again a window later with no traffic: every span rule resolves its alert
    for r in (threshold, latency, rate, anomaly, pattern, both):
        r.next_evaluation_at = None
        r.save()
    later = tick(store, NOW + WINDOW + 60)
    assert later.resolved == 6  # all six open alerts (composite included) resolve
    assert Alert.objects.exclude(state="resolved").count() == 0
    events = store.query("SELECT event, count() FROM alert_events GROUP BY event ORDER BY event").result_rows
    assert events == [("firing", 6), ("resolved", 6)]
