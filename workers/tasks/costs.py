"""Cost tasks: settle the hourly rollup, evaluate budgets, deliver budget alerts, refresh forecasts.

Every body is a service call (webapp.costs.*, workers.storage.costs.*). Webhook deliveries and their
retries (exponential backoff) are delayed tasks (workers.delayed): a Celery countdown in scale mode,
the in-process timer thread with eager tasks (`pyflare serve`) — never a sleep on the periodic-job
thread. A delivery that keeps failing is recorded as failed; a delivered one is never sent again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workers.celery import app
from workers.delayed import run_later
from workers.tasks.channels import reschedule


def _client() -> Any:
    from workers.storage.clickhouse import StorageSettings, connect

    return connect(StorageSettings.from_env())


def _now(now: str | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(now)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@app.task(name="costs.settle_rollup", ignore_result=True)
def settle_rollup() -> dict[str, Any]:
    from workers.storage.costs.rollup import settle

    result = settle(_client())
    return {"days": [d.isoformat() for d in result.days], "settled_until": result.settled_until.isoformat()}


@app.task(name="costs.evaluate_budgets", ignore_result=True)
def evaluate_budgets(now: str | None = None) -> dict[str, Any]:
    """Evaluate every enabled budget as of `now` (ISO 8601, default: the current time)."""
    from webapp.costs.budget_runs import evaluate_all

    report = evaluate_all(_client(), _now(now))
    for delivery_id in report.deliveries:
        run_later(deliver_alert, [delivery_id], 0)  # off this (beat) thread in embedded mode too
    return report.as_dict()


@app.task(name="costs.deliver_alert", bind=True, max_retries=None, ignore_result=True)
def deliver_alert(self: Any, delivery_id: int) -> str:
    from webapp.costs.notify import attempt_delivery

    outcome = attempt_delivery(delivery_id)  # does nothing unless the delivery is still pending
    reschedule(self, delivery_id, outcome.retry_in)
    return outcome.status


@app.task(name="costs.refresh_forecasts", ignore_result=True)
def refresh_forecasts() -> dict[str, Any]:
    from webapp.costs.forecasting import refresh_budget_forecasts

    return {"budgets": refresh_budget_forecasts(_client(), datetime.now(UTC))}
