"""Alerting task: the one dispatcher tick that beat runs every few seconds.

One periodic job, not a beat entry per rule: the tick evaluates the rules that are due (each rule's
own `evaluation_interval`, editable in the admin and the API, is stored on the rule) and flushes the
groups whose group_wait / group_interval elapsed, which must happen every few seconds whatever the
rules' intervals. A beat entry per rule (django-celery-beat) would still need this flush tick and
would split one project's state across concurrent tasks. In scale mode each state change is also
published as JSON on Kafka `pyflare.alerts`, keyed by fingerprint.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from workers.celery import app
from workers.storage.alerting.events import AlertEvent


def _client() -> Any:
    from workers.storage.clickhouse import StorageSettings, connect

    return connect(StorageSettings.from_env())


class KafkaAlertPublisher:
    """Alert events as JSON records on the alerts topic, keyed by fingerprint (one partition per alert)."""

    def __init__(self, brokers: str, topic: str) -> None:
        from kafka import KafkaProducer

        self.topic = topic
        self._producer = KafkaProducer(bootstrap_servers=brokers, acks="all", client_id="pyflare-alerts")

    def __call__(self, events: Sequence[AlertEvent]) -> None:
        for e in events:
            self._producer.send(self.topic, key=e.fingerprint.encode(), value=json.dumps(e.as_json()).encode())
        self._producer.flush()


_publisher: KafkaAlertPublisher | None = None


def publisher() -> KafkaAlertPublisher | None:
    """The process's publisher when alert events go to Kafka (settings: ALERTS_KAFKA_PUBLISH)."""
    global _publisher
    from django.conf import settings

    if not settings.ALERTS_KAFKA_PUBLISH:
        return None
    if _publisher is None:
        from workers.ingest.settings import IngestSettings

        ingest = IngestSettings.from_env()
        _publisher = KafkaAlertPublisher(ingest.brokers, ingest.alerts_topic)
    return _publisher


@app.task(name="alerting.tick", ignore_result=True)
def tick(now: float | None = None) -> dict[str, Any]:
    """Evaluate due rules and send due notifications as of `now` (epoch seconds, default: now)."""
    from webapp.alerting.pipeline import tick as run_tick

    return run_tick(_client(), now, publish=publisher()).as_dict()
