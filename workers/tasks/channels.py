"""Alert notifications to channels: `send_to_channels` records one delivery per channel and
schedules each; `channels.deliver` makes one attempt and, on a retryable failure, schedules the next
after its backoff (a Celery countdown on a worker, the in-process timer with eager tasks). Each
channel is retried on its own: one that took the notification is never sent it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from workers.celery import app
from workers.delayed import run_later

if TYPE_CHECKING:
    from webapp.costs.models import NotificationChannel
    from workers.analysis.alerting.messages import AlertMessage


def reschedule(task: Any, delivery_id: int, retry_in: float | None) -> None:
    """The next attempt of a delivery task after `retry_in` seconds (None: none): a Celery retry on a
    worker, the in-process timer with eager tasks (never a sleep on the calling thread)."""
    if retry_in is None:
        return
    if not task.request.is_eager:
        raise task.retry(countdown=retry_in)
    run_later(task, [delivery_id], retry_in)


@app.task(name="channels.deliver", bind=True, max_retries=None, ignore_result=True)
def deliver_notification(self: Any, delivery_id: int) -> str:
    from webapp.costs.channel_delivery import attempt_channel_delivery

    outcome = attempt_channel_delivery(delivery_id)  # does nothing unless the delivery is still pending
    reschedule(self, delivery_id, outcome.retry_in)
    return outcome.status


def send_to_channels(channels: Iterable[NotificationChannel], message: AlertMessage) -> list[int]:
    """Queue `message` for each enabled channel and schedule the deliveries; their ids."""
    from django.db import transaction

    from webapp.costs.channel_delivery import queue_notification

    ids = queue_notification(channels, message)
    for delivery_id in ids:  # once the rows are committed: a worker must find them
        transaction.on_commit(lambda d=delivery_id: run_later(deliver_notification, [d], 0))
    return ids
