"""Scale mode end to end: `celery beat` runs the alerting tick every second, a real `celery worker`
takes it from the real Redis, the seeded spans make the error-rate rule fire for model `bad` (not
for `good`), and the webhook receiver gets Alertmanager's payload — once: later ticks merge into the
same alert and have nothing new to say.

Worker and beat are subprocesses with their own data directory, seeded beforehand by
tests/alerting/celery_world.py; the webhook is an HTTP server here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.costs.conftest import Webhook
from tests.costs.test_budget_worker import REPO, _control, _start, _stop, _wait

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
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "webapp.settings", "PYFLARE_DATA_DIR": str(data),
        "PYFLARE_SECRET_KEY": uuid.uuid4().hex * 2, "PYFLARE_REDIS_URL": redis_url, "PYFLARE_CELERY_QUEUE": queue,
        "PYFLARE_SCHEDULE_ALERTS_SECONDS": "1", "PYFLARE_ALERTS_KAFKA_PUBLISH": "0",
        "PYFLARE_OUTBOUND_ALLOW_CIDRS": "127.0.0.1/32",
    })  # fmt: skip
    seeded = subprocess.run([sys.executable, "-m", "tests.alerting.celery_world", webhook.url], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=180)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr[-3000:]

    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = _start(["worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO"], env, worker_log)
    beat = _start(["beat", "--schedule", str(tmp_path / "beat-schedule"), "--max-interval", "1",
                   "--loglevel=INFO"], env, beat_log)  # fmt: skip
    logs = [worker_log, beat_log]
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
        _stop(beat)
        _stop(worker)
