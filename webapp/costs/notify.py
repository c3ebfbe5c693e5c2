"""Delivering budget alerts to notification channels, one attempt at a time.

`attempt_delivery` sends once, records the attempt (status, HTTP status, error) and says whether
and when to try again: exponential backoff from PYFLARE_WEBHOOK_BACKOFF_SECONDS, at most
PYFLARE_WEBHOOK_MAX_ATTEMPTS attempts, then the delivery is marked failed. It never raises for a
channel's failure. Channel kinds are a registry: one sender function per kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webapp.costs.models import AlertDelivery, BudgetAlert
from webapp.outbound import OutboundError, client_from_settings

log = logging.getLogger("pyflare.costs.notify")
USER_AGENT = "PyFlare-Alerts/1"


class DeliveryError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _usd(micros: int) -> float:
    return micros / 1_000_000


def alert_payload(alert: BudgetAlert) -> dict[str, Any]:
    budget = alert.budget
    return {
        "type": "budget.threshold_crossed",
        "alert_id": alert.pk,
        "project": alert.project.slug,
        "budget": {
            "id": budget.pk,
            "name": budget.name,
            "dimension": budget.dimension,
            "value": budget.value,
            "period": budget.period,
            "limit_usd": float(budget.limit_usd),
        },
        "threshold_percent": float(alert.threshold),
        "percent_used": round(alert.percent_used, 3),
        "spend_usd": _usd(alert.spend_micros),
        "limit_usd": _usd(alert.limit_micros),
        "period_start": alert.period_start.isoformat(),
        "period_end": alert.period_end.isoformat(),
        "projection": {
            "spend_usd": _usd(alert.projected_spend_micros),
            "overage_usd": _usd(alert.projected_overage_micros),
            "method": alert.projection_method,
        },
        "created_at": alert.created_at.isoformat(),
    }


def post_webhook(url: str, payload: dict[str, Any]) -> int:
    """POST the payload as JSON through the outbound policy; the HTTP status on 2xx, DeliveryError
    otherwise (its text names the failure without connection details; redirects are not followed)."""
    try:
        return client_from_settings().post_json(url, payload, {"User-Agent": USER_AGENT})
    except OutboundError as exc:
        raise DeliveryError(str(exc), exc.status) from None


CHANNEL_KINDS: dict[str, Callable[[str, dict[str, Any]], int]] = {"webhook": post_webhook}


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # AlertDelivery status after this attempt
    retry_in: float | None  # seconds until the next attempt; None: done (delivered or given up)


def backoff(attempts: int) -> float:
    return float(settings.WEBHOOK_BACKOFF_SECONDS) * 2 ** max(0, attempts - 1)


def attempt_delivery(delivery_id: int) -> DeliveryOutcome:
    """One attempt, if the delivery is still pending. The row stays locked (SELECT … FOR UPDATE)
    while the request is in flight, so a concurrent attempt of the same delivery (a duplicated task
    message, a retry racing a re-run) waits and then finds it delivered: an alert is sent once."""
    with transaction.atomic():
        # of=self: PostgreSQL cannot lock the nullable side (channel) of the outer join
        rows = AlertDelivery.objects.select_for_update(of=("self",)).select_related(
            "alert__budget", "alert__project", "channel"
        )
        delivery = rows.filter(pk=delivery_id).first()
        if delivery is None or delivery.status != AlertDelivery.PENDING:
            return DeliveryOutcome(delivery.status if delivery else "missing", None)
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        return _send(delivery)


def _send(delivery: AlertDelivery) -> DeliveryOutcome:
    kind = delivery.channel.kind if delivery.channel is not None else "webhook"
    fields = ["attempts", "last_attempt_at", "response_status", "last_error", "status"]
    try:
        sender = CHANNEL_KINDS[kind]
        delivery.response_status = sender(delivery.target, alert_payload(delivery.alert))
    except (DeliveryError, KeyError) as exc:
        delivery.response_status = getattr(exc, "status", None)
        delivery.last_error = str(exc) if isinstance(exc, DeliveryError) else f"unknown channel kind {kind!r}"
        given_up = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or isinstance(exc, KeyError)
        if given_up:
            delivery.status = AlertDelivery.FAILED
        delivery.save(update_fields=fields)
        log.warning("alert %s (delivery %s): attempt %d failed (%s)%s", delivery.alert_id, delivery.pk,
                    delivery.attempts, delivery.last_error, "; giving up" if given_up else "")  # fmt: skip
        return DeliveryOutcome(delivery.status, None if given_up else backoff(delivery.attempts))
    delivery.status = AlertDelivery.DELIVERED
    delivery.delivered_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=[*fields, "delivered_at"])
    return DeliveryOutcome(delivery.status, None)
