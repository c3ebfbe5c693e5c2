"""Delivering one notification to one channel: `deliver(channel, message)`.

One attempt, through the channel's kind (a registry of senders, one per kind), after the channel's
rate limit. Failures raise `DeliveryError` with the receiver's status (if any) and whether another
attempt may succeed; retries with backoff are the caller's (webapp.costs.channel_delivery queues one
delivery per channel, so only a failed integration is tried again). Every HTTP destination goes
through webapp.outbound (loopback, link-local and private addresses refused unless allowed).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

from webapp.costs.email_sender import send_email
from webapp.costs.errors import DeliveryError
from webapp.costs.models import NotificationChannel
from webapp.outbound import DestinationRefused, OutboundError, client_from_settings
from workers.analysis.alerting.labels import fingerprint
from workers.analysis.alerting.messages import AlertItem, AlertMessage
from workers.analysis.alerting.payloads import alertmanager_alerts, pagerduty_event, slack_payload, webhook_payload
from workers.analysis.alerting.ratelimit import Bucket, take_token

__all__ = ["SENDERS", "DeliveryError", "channel_test_message", "deliver", "send"]
USER_AGENT = "PyFlare-Alerts/1"
Extra = Mapping[str, Any] | None  # extra top-level webhook fields (budget alerts' own body)


def _retryable(status: int | None) -> bool:
    return status is None or status >= 500 or status in (408, 425, 429)


def post(url: str, body: Any, bearer: str = "") -> int:
    headers = {"User-Agent": USER_AGENT}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        return client_from_settings().post_json(url, body, headers)
    except DestinationRefused as exc:
        raise DeliveryError(str(exc), None, retryable=False) from None
    except OutboundError as exc:
        raise DeliveryError(str(exc), exc.status, retryable=_retryable(exc.status)) from None


def _webhook(channel: NotificationChannel, message: AlertMessage, extra: Extra) -> int | None:
    return post(channel.destination, webhook_payload(message, extra), channel.secrets.get("bearer_token", ""))


def _slack(channel: NotificationChannel, message: AlertMessage, extra: Extra) -> int | None:
    config = channel.config
    return post(channel.destination, slack_payload(message, config.get("channel", ""), config.get("username", "")))


def _pagerduty(channel: NotificationChannel, message: AlertMessage, extra: Extra) -> int | None:
    event = pagerduty_event(message, channel.secrets["routing_key"], channel.config.get("severity", "error"),
                            channel.config.get("source", ""))  # fmt: skip
    return post(channel.destination, event)


def _alertmanager(channel: NotificationChannel, message: AlertMessage, extra: Extra) -> int | None:
    url = channel.destination.rstrip("/") + "/api/v2/alerts"
    return post(url, alertmanager_alerts(message), channel.secrets.get("bearer_token", ""))


def _email(channel: NotificationChannel, message: AlertMessage, extra: Extra) -> int | None:
    send_email(channel.config, channel.secrets, message)
    return None


SENDERS: dict[str, Callable[[NotificationChannel, AlertMessage, Extra], int | None]] = {
    "webhook": _webhook,
    "slack": _slack,
    "pagerduty": _pagerduty,
    "email": _email,
    "alertmanager": _alertmanager,
}


def channel_test_message(channel: NotificationChannel, external_url: str = "") -> AlertMessage:
    """What the channel test button sends: one firing alert, labelled as a test."""
    now = time.time()
    labels = {"alertname": "PyFlareChannelTest", "project": channel.project.slug, "channel": channel.name}
    annotations = {"summary": f"Test notification from PyFlare to channel {channel.name}"}
    item = AlertItem(fingerprint=fingerprint(labels), labels=labels, annotations=annotations, starts_at=now,
                     ends_at=None, status="firing")
    return AlertMessage(project=channel.project.slug, receiver=channel.name, group_key=f"test:{channel.pk}:{now}",
                        group_labels={"alertname": "PyFlareChannelTest"}, common_labels=labels,
                        common_annotations=annotations, alerts=(item,), external_url=external_url)  # fmt: skip


def _take_rate_token(channel: NotificationChannel) -> None:
    """Spend one of the channel's tokens (the bucket lives on the channel row, shared by workers)."""
    if channel.rate_limit_per_minute <= 0 or channel.pk is None:
        return
    with transaction.atomic():
        row = NotificationChannel.objects.select_for_update().get(pk=channel.pk)
        bucket = None if row.rate_tokens is None else Bucket(row.rate_tokens, row.rate_refilled_at or 0.0)
        took = take_token(bucket, time.time(), row.rate_limit_per_minute)
        NotificationChannel.objects.filter(pk=channel.pk).update(rate_tokens=took.bucket.tokens,
                                                                 rate_refilled_at=took.bucket.refilled_at)  # fmt: skip
    if not took.allowed:
        raise DeliveryError(f"rate limit of {row.rate_limit_per_minute} a minute reached", 429, retryable=True,
                            retry_after=took.retry_in)  # fmt: skip


def _for_channel(channel: NotificationChannel, message: AlertMessage) -> AlertMessage:
    if channel.send_resolved:
        return message
    return dataclasses.replace(message, alerts=tuple(a for a in message.alerts if a.status == "firing"))


def send(channel: NotificationChannel, message: AlertMessage, *, webhook_fields: Extra = None) -> int | None:
    """One attempt; the receiver's HTTP status (None for email, or when there was nothing to send:
    only resolved alerts for a channel that does not send resolutions)."""
    if not channel.enabled:
        raise DeliveryError("the channel is disabled", retryable=False)
    sender = SENDERS.get(channel.kind)
    if sender is None:
        raise DeliveryError(f"unknown channel kind {channel.kind!r} (valid: {', '.join(SENDERS)})", retryable=False)
    message = _for_channel(channel, message)
    if not message.alerts:
        return None
    _take_rate_token(channel)
    return sender(channel, message, webhook_fields)


def deliver(channel: NotificationChannel, message: AlertMessage, *, webhook_fields: Extra = None) -> None:
    """Deliver `message` to `channel` once, or raise DeliveryError (`.status`, `.retryable`,
    `.retry_after`). `webhook_fields` adds top-level fields to a webhook body (budget alerts')."""
    send(channel, message, webhook_fields=webhook_fields)
