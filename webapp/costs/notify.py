"""Delivering budget alerts to notification channels, one attempt at a time.

`attempt_delivery` sends once through `webapp.costs.senders.deliver` (any channel kind: the alert as
an `AlertMessage`; a webhook body also keeps the budget fields it always had), records the attempt
(status, HTTP status, error) and says whether and when to try again: exponential backoff from
PYFLARE_WEBHOOK_BACKOFF_SECONDS, at most PYFLARE_WEBHOOK_MAX_ATTEMPTS attempts, then the delivery
is marked failed; a refusal that cannot change (a 4xx, a refused destination) fails at once. It
never raises for a channel's failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction

from webapp.alerting.links import page_link, public_url
from webapp.alerting.sources import BUDGET, find_open, notified
from webapp.costs.channel_delivery import DeliveryOutcome, backoff, locked_pending, record_attempt
from webapp.costs.errors import DeliveryError
from webapp.costs.models import AlertDelivery, BudgetAlert, NotificationChannel
from webapp.costs.senders import USER_AGENT, send
from webapp.outbound import OutboundError, client_from_settings
from workers.analysis.alerting import fingerprint
from workers.analysis.alerting.messages import AlertItem, AlertMessage

log = logging.getLogger("pyflare.costs.notify")
__all__ = ["CHANNEL_KINDS", "DeliveryError", "DeliveryOutcome", "attempt_delivery", "backoff", "budget_message"]


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


def budget_labels(alert: BudgetAlert) -> dict[str, str]:
    """The crossing's identity in the alerting system: budget, period and threshold (once per period)."""
    budget = alert.budget
    labels = {"alertname": "BudgetThresholdCrossed", "project": alert.project.slug, "budget": budget.name,
              "budget_id": str(budget.pk), "dimension": budget.dimension, "period": budget.period,
              "period_start": alert.period_start.isoformat(), "threshold": f"{float(alert.threshold):g}",
              "severity": "critical" if alert.threshold >= 100 else "warning"}  # fmt: skip
    if budget.value:
        labels["value"] = budget.value
    return labels


def budget_annotations(alert: BudgetAlert) -> dict[str, str]:
    budget = alert.budget
    summary = (f"Budget {budget.name} used {alert.percent_used:.1f} % (${_usd(alert.spend_micros):.2f} of "
               f"${_usd(alert.limit_micros):.2f}), crossing {float(alert.threshold):g} %")
    return {"summary": summary, "spend_usd": f"{_usd(alert.spend_micros):.6f}",
            "projected_spend_usd": f"{_usd(alert.projected_spend_micros):.6f}",
            "period_start": alert.period_start.isoformat(), "period_end": alert.period_end.isoformat()}  # fmt: skip


def budget_message(alert: BudgetAlert) -> AlertMessage:
    """The alert as every channel kind receives it: one firing alert (the alerting system's occurrence
    of the crossing, webapp.alerting.sources), its group the budget's period and threshold (so
    PagerDuty keeps one incident per crossing)."""
    labels = {**budget_labels(alert), "source": BUDGET}
    annotations = budget_annotations(alert)
    item = AlertItem(fingerprint=fingerprint(labels), labels=labels, annotations=annotations,
                     starts_at=alert.created_at.timestamp(), ends_at=None, status="firing",
                     url=page_link(alert.project.slug, "costs"))  # fmt: skip
    key = f"budget:{alert.budget_id}:{alert.period_start.isoformat()}:{float(alert.threshold):g}"
    return AlertMessage(project=alert.project.slug, receiver="budget", group_key=key,
                        group_labels={"budget": alert.budget.name}, common_labels=labels,
                        common_annotations=annotations, alerts=(item,), external_url=public_url())  # fmt: skip


def post_webhook(url: str, payload: dict[str, Any]) -> int:
    """POST a raw JSON payload through the outbound policy (the channel test's webhook); the HTTP
    status on 2xx, DeliveryError otherwise."""
    try:
        return client_from_settings().post_json(url, payload, {"User-Agent": USER_AGENT})
    except OutboundError as exc:
        raise DeliveryError(str(exc), exc.status) from None


CHANNEL_KINDS: dict[str, Callable[[str, dict[str, Any]], int]] = {"webhook": post_webhook}


def attempt_delivery(delivery_id: int) -> DeliveryOutcome:
    """One attempt, if the delivery is still pending. The row stays locked (SELECT … FOR UPDATE)
    while the request is in flight, so a concurrent attempt of the same delivery (a duplicated task
    message, a retry racing a re-run) waits and then finds it delivered: an alert is sent once. A
    delivered one is a `notified` event of the crossing's alert (its history; escalation counts from it)."""
    with transaction.atomic():
        rows = AlertDelivery.objects.select_related("alert__budget", "alert__project", "channel")
        delivery, status = locked_pending(rows, delivery_id)
        if delivery is None:
            return DeliveryOutcome(status, None)
        channel = _channel_of(delivery)
        sending = partial(send, channel, budget_message(delivery.alert), webhook_fields=alert_payload(delivery.alert))
        outcome = record_attempt(delivery, sending, f"budget alert {delivery.alert_id} (delivery {delivery.pk})")
    if outcome.status == AlertDelivery.DELIVERED:
        _record_notified(delivery.alert, channel.name)
    return outcome


def _record_notified(alert: BudgetAlert, channel: str) -> None:
    from webapp.api.telemetry import telemetry_client

    row = find_open(alert.project, BUDGET, budget_labels(alert))
    if row is None:  # its period ended and the evaluation resolved it meanwhile
        return
    try:
        notified(telemetry_client(), row, channel)
    except Exception:  # the delivery happened: a history row lost to storage must not undo it
        log.warning("budget alert %s: the notified event was not stored", alert.pk, exc_info=True)


def _channel_of(delivery: AlertDelivery) -> NotificationChannel:
    """The delivery's channel; a deleted one is replaced by a webhook to the recorded target."""
    if delivery.channel is not None:
        return delivery.channel
    return NotificationChannel(project=delivery.alert.project, name="deleted channel", kind="webhook",
                               url=delivery.target)  # fmt: skip
