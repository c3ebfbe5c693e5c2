"""Scale mode end to end: `celery beat` runs the alerting tick every second, a real `celery worker`
takes it from the real Redis, the seeded spans make the error-rate rule fire for model `bad` (not
for `good`), and the webhook receiver gets Alertmanager's payload — once: later ticks merge into the
same alert and have nothing new to say.

Worker and beat are subprocesses with their own data directory, seeded beforehand by
tests/alerting/celery_world.py; the webhook is an HTTP server here.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.costs.conftest import Webhook
from tests.costs.test_budget_worker import _control, _wait
from tests.support.celery_stack import scale_env, seed, start_worker_and_beat

TICKED = re.compile(r"Task alerting\.tick\[[^\]]+\] succeeded")


def _ticks(log: Path) -> int:
    return len(TICKED.findall(log.read_text())) if log.exists() else 0


@pytest.mark.redis
def test_seeded_spans_fire_a_rule_and_the_webhook_gets_alertmanagers_payload(
    redis_url: str, webhook: Webhook, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    queue = f"pyflare-alerts-{uuid.uuid4().hex[:8]}"  # this test's own queue on the shared Redis
    env = scale_env(data, redis_url, queue, PYFLARE_SCHEDULE_ALERTS_SECONDS="1", PYFLARE_ALERTS_KAFKA_PUBLISH="0")
    seed("tests.alerting.celery_world", [webhook.url], env)
    stack = start_worker_and_beat(env, queue, tmp_path)
    worker_log, logs = stack.worker_log, stack.logs
    try:
        _wait(lambda: len(webhook.received) >= 1, 120, "the alert's notification", logs)
        seen = _ticks(worker_log)
        _wait(lambda: _ticks(worker_log) >= seen + 5, 60, "five more ticks", logs)
        assert len(webhook.received) == 1  # nothing changed: no second notification
        body = webhook.received[0]
        assert (body["version"], body["status"], body["receiver"]) == ("4", "firing", "on-call")
        assert body["groupLabels"] == {"model_id": "bad"}
        [alert] = body["alerts"]
        assert alert["status"] == "firing" and alert["endsAt"] == "0001-01-01T00:00:00Z"
        assert (alert["labels"]["alertname"], alert["labels"]["model_id"]) == ("HighErrorRate", "bad")
        assert alert["annotations"]["summary"] == "errors above 20 %"
        assert body["commonLabels"]["severity"] == "warning" and body["truncatedAlerts"] == 0
        rows = _control(data, "SELECT model_id, state, fingerprint FROM alerting_alert")
        assert rows == [("bad", "firing", alert["fingerprint"])]  # merged into one alert, `good` quiet
    finally:
        stack.stop()
