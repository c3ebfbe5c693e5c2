"""Scale mode: every alert state change is also a JSON record on Kafka `pyflare.alerts`, keyed by the
alert's fingerprint — rule alerts from the dispatcher tick and drift/budget alerts alike — on the
real Kafka the suite starts (a topic prefix of its own: the broker is shared)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from tests.alerting.conftest import seed
from tests.alerting.test_notification_timing import T0, errors
from tests.alerting.world import rule
from tests.support.kafka import read_all
from tests.webapp.conftest import World
from webapp.alerting import sources
from webapp.alerting.models import Alert
from webapp.alerting.pipeline import tick
from workers.ingest.kafka import ensure_topics
from workers.ingest.settings import IngestSettings
from workers.tasks import alerting as alerting_tasks

pytestmark = pytest.mark.kafka


@pytest.fixture
def alerts_topic(kafka_brokers: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Scale mode's publisher, on a topic of this test's own."""
    prefix = f"alerts-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PYFLARE_KAFKA_BROKERS", kafka_brokers)
    monkeypatch.setenv("PYFLARE_KAFKA_TOPIC_PREFIX", prefix)
    monkeypatch.setattr(alerting_tasks, "_publisher", None)
    settings.ALERTS_KAFKA_PUBLISH = True
    ingest = IngestSettings.from_env()
    ensure_topics(ingest)
    yield ingest.alerts_topic
    monkeypatch.setattr(alerting_tasks, "_publisher", None)


def _records(brokers: str, topic: str) -> list[tuple[str, dict[str, Any]]]:
    found = [(r.key.decode(), json.loads(r.value)) for r in read_all(brokers, topic)]
    return sorted(found, key=lambda kv: (kv[1]["time"], kv[1]["event"]))


def test_each_state_change_is_a_record_keyed_by_fingerprint(world: World, store: Client, kafka_brokers: str,
                                                            alerts_topic: str) -> None:  # fmt: skip
    project = world.own.project
    seed(store, project.slug, errors("bad", T0 - 290))
    rule(project, "errors", "threshold", {"metric": "error_rate", "operator": ">", "value": 0.1, "window": "5m",
                                          "group_by": ["model_id"]})  # fmt: skip
    publish = alerting_tasks.publisher()
    assert publish is not None
    tick(store, T0, publish=publish)
    tick(store, T0 + 600, publish=publish)  # the errors left the window: resolved
    drift = sources.open_alert(store, project, sources.DRIFT, {"alertname": "DriftDetected", "model_id": "bad"},
                               {"summary": "drift"}, "warning", 0.4, now=T0 + 700)  # fmt: skip

    [fired] = Alert.objects.filter(source="rule")
    records = _records(kafka_brokers, alerts_topic)
    assert [(key, r["event"], r["state"], r["source"]) for key, r in records] == [
        (fired.fingerprint, "firing", "firing", "rule"), (fired.fingerprint, "resolved", "resolved", "rule"),
        (drift.fingerprint, "firing", "firing", "drift")]  # fmt: skip
    first = records[0][1]
    assert (first["project"], first["alertname"], first["labels"]["model_id"], first["value"]) == (
        project.slug, "errors", "bad", 0.5)  # fmt: skip
    assert first["time"].startswith("20") and first["time"].endswith("+00:00")  # ISO 8601 UTC
    stored = store.query("SELECT count() FROM alert_events").result_rows[0][0]
    assert stored == len(records)  # the same changes as alert_events holds
