"""Scale mode end to end: `celery beat` schedules budget evaluation every second, a real
`celery worker` runs it against the real Redis, and a budget crossing 80 % notifies the webhook
exactly once per period — the first delivery fails and is retried by the worker with backoff.
The next period (tomorrow, evaluated through a task sent over Redis) alerts once more, and only once.

Worker and beat are subprocesses with their own data directory (the worker owns the chdb engine
directory, seeded beforehand by tests/costs/budget_world.py); the webhook is an HTTP server here.
"""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import Celery

from tests.costs.conftest import Webhook
from tests.support.celery_stack import scale_env, seed, start_worker_and_beat

REPO = Path(__file__).resolve().parents[2]
SUCCEEDED = re.compile(r"Task costs\.evaluate_budgets\[[^\]]+\] succeeded")


def _wait(condition: Callable[[], bool], timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tails}")
        time.sleep(0.2)


def _evaluations(log: Path) -> int:
    return len(SUCCEEDED.findall(log.read_text())) if log.exists() else 0


def _control(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "control.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.mark.redis
def test_budget_alerts_once_per_period_with_a_real_worker_and_beat(
    redis_url: str, webhook: Webhook, tmp_path: Path
) -> None:
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if (midnight - datetime.now(UTC)).total_seconds() < 180:  # "today" must stay today for the whole test
        time.sleep((midnight - datetime.now(UTC)).total_seconds() + 1)
        midnight += timedelta(days=1)
    data = tmp_path / "data"
    data.mkdir()
    queue = f"pyflare-costs-{uuid.uuid4().hex[:8]}"  # this test's own queue on the shared Redis
    env = scale_env(data, redis_url, queue, PYFLARE_SCHEDULE_BUDGETS_SECONDS="1", PYFLARE_SCHEDULE_ROLLUP_SECONDS="2",
                    PYFLARE_WEBHOOK_BACKOFF_SECONDS="1")  # fmt: skip
    seed("tests.costs.budget_world", [webhook.url, "850000", "900000"], env)

    webhook.replies = [500]  # the first delivery fails: the worker must retry it
    stack = start_worker_and_beat(env, queue, tmp_path)
    worker_log, logs = stack.worker_log, stack.logs
    try:
        _wait(lambda: len(webhook.received) >= 1, 120, "the first budget alert", logs)
        seen = _evaluations(worker_log)
        _wait(lambda: _evaluations(worker_log) >= seen + 6, 60, "six more beat evaluations", logs)
        assert len(webhook.received) == 1
        alert = webhook.received[0]
        assert (alert["threshold_percent"], alert["spend_usd"], alert["project"]) == (80.0, 0.85, "acme")
        assert alert["period_start"] == (midnight - timedelta(days=1)).isoformat()
        deliveries = _control(data, "SELECT status, attempts, response_status FROM costs_alertdelivery")
        assert deliveries == [("delivered", 2, 200)]  # 500, then 200 after the backoff

        sender = Celery("pyflare-test", broker=redis_url)
        tomorrow = (midnight + timedelta(hours=1)).isoformat()
        for _ in range(2):
            sender.send_task("costs.evaluate_budgets", kwargs={"now": tomorrow}, queue=queue)
        _wait(lambda: len(webhook.received) >= 2, 60, "the next period's alert", logs)
        seen = _evaluations(worker_log)
        _wait(lambda: _evaluations(worker_log) >= seen + 4, 60, "four more evaluations", logs)
        assert len(webhook.received) == 2
        assert webhook.received[1]["period_start"] == midnight.isoformat()
        assert webhook.received[1]["spend_usd"] == 0.9
        alerts = _control(data, "SELECT threshold, notified FROM costs_budgetalert ORDER BY period_start")
        assert [(float(t), bool(n)) for t, n in alerts] == [(80.0, True), (80.0, True)]
    finally:
        stack.stop()
