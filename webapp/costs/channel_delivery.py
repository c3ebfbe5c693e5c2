"""Notifications to several channels, one delivery record per channel, each attempted and retried
on its own (Alertmanager's per-integration retries): `queue_notification` records them,
`attempt_channel_delivery` makes one attempt of one. The row stays locked while its request is in
flight, so a duplicated task finds it delivered and sends nothing.

`record_attempt` is the bookkeeping shared with budget alert deliveries (webapp.costs.notify):
exponential backoff from PYFLARE_WEBHOOK_BACKOFF_SECONDS (at least a rate limit's wait), at most
PYFLARE_WEBHOOK_MAX_ATTEMPTS attempts, and a refusal that cannot change fails at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from webapp.costs.errors import DeliveryError
from webapp.costs.models import ChannelDelivery, NotificationChannel
from webapp.costs.senders import send
from workers.analysis.alerting.escalation import EscalationStep
from workers.analysis.alerting.messages import AlertItem, AlertMessage

log = logging.getLogger("pyflare.costs.channels")
_FIELDS = ["attempts", "last_attempt_at", "response_status", "last_error", "status"]


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # the delivery's status after this attempt
    retry_in: float | None  # seconds until the next attempt; None: done (delivered or given up)


def backoff(attempts: int) -> float:
    return float(settings.WEBHOOK_BACKOFF_SECONDS) * 2 ** max(0, attempts - 1)


def record_attempt(row: Any, sending: Callable[[], int | None], label: str) -> DeliveryOutcome:
    """Run one attempt for a locked, pending delivery row (AlertDelivery or ChannelDelivery: the same
    status fields) and store its result."""
    row.attempts += 1
    row.last_attempt_at = timezone.now()
    try:
        row.response_status = sending()
    except DeliveryError as exc:
        row.response_status, row.last_error = exc.status, str(exc)
        given_up = row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not exc.retryable
        if given_up:
            row.status = row.FAILED
        row.save(update_fields=_FIELDS)
        log.warning("%s: attempt %d failed (%s)%s", label, row.attempts, row.last_error,
                    "; giving up" if given_up else "")  # fmt: skip
        return DeliveryOutcome(row.status, None if given_up else max(backoff(row.attempts), exc.retry_after or 0.0))
    row.status, row.delivered_at, row.last_error = row.DELIVERED, timezone.now(), ""
    row.save(update_fields=[*_FIELDS, "delivered_at"])
    return DeliveryOutcome(row.status, None)


def locked_pending(queryset: models.QuerySet[Any], pk: int) -> tuple[Any | None, str]:
    """The row, locked for this transaction, if it is still pending; else None and its status."""
    row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None or row.status != row.PENDING:
        return None, row.status if row is not None else "missing"
    return row, row.status


def message_to_dict(message: AlertMessage) -> dict[str, Any]:
    return {
        "project": message.project, "receiver": message.receiver, "group_key": message.group_key,
        "group_labels": dict(message.group_labels), "common_labels": dict(message.common_labels),
        "common_annotations": dict(message.common_annotations), "external_url": message.external_url,
        "truncated": message.truncated, "extra": dict(message.extra),
        "alerts": [{"fingerprint": a.fingerprint, "labels": dict(a.labels), "annotations": dict(a.annotations),
                    "starts_at": a.starts_at, "ends_at": a.ends_at, "status": a.status, "url": a.url}
                   for a in message.alerts],
    }  # fmt: skip


def message_from_dict(data: dict[str, Any]) -> AlertMessage:
    alerts = tuple(AlertItem(**a) for a in data["alerts"])
    return AlertMessage(**{**data, "alerts": alerts})


def queue_notification(channels: Iterable[NotificationChannel], message: AlertMessage) -> list[int]:
    """One pending delivery per enabled channel; their ids, for the delivery task."""
    body = message_to_dict(message)
    rows = [ChannelDelivery(channel=c, group_key=message.group_key[:1000], message=body)
            for c in channels if c.enabled]  # fmt: skip
    return [row.pk for row in ChannelDelivery.objects.bulk_create(rows)]


def attempt_channel_delivery(delivery_id: int) -> DeliveryOutcome:
    """One attempt, if the delivery is still pending (sent once even with duplicated tasks)."""
    with transaction.atomic():
        row, status = locked_pending(ChannelDelivery.objects.select_related("channel__project"), delivery_id)
        if row is None:
            return DeliveryOutcome(status, None)
        message = message_from_dict(row.message)
        label = f"notification {row.group_key!r} to channel {row.channel.name!r} (delivery {row.pk})"
        return record_attempt(row, lambda: send(row.channel, message), label)


def escalation_policy(project_id: int) -> dict[int, EscalationStep]:
    """The project's escalation steps (channel id -> where to and after how long), for
    workers.analysis.alerting.escalation.escalations_due."""
    rows = NotificationChannel.objects.filter(project_id=project_id, escalate_to__isnull=False,
                                              escalate_to__enabled=True).values_list(
        "pk", "escalate_to_id", "escalate_after_seconds")  # fmt: skip
    return {pk: EscalationStep(to, float(after)) for pk, to, after in rows if after is not None}
