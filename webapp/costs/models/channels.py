"""Notification channels of a project: where alerts are sent, and how.

A channel has a kind (webapp.costs.channel_kinds: webhook, Slack, PagerDuty, email, Alertmanager),
a destination URL where the kind needs one, `config` (shown) and `secrets` (never shown by the API),
a rate limit, and optionally a channel to escalate to when an alert stays unacknowledged.
Delivery is webapp.costs.senders.deliver.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from webapp.costs.channel_kinds import KINDS as KIND_REGISTRY
from webapp.costs.channel_kinds import ConfigError, channel_kind
from webapp.outbound import DestinationRefused, OutboundError, client_from_settings
from webapp.projects.models import Project


class NotificationChannel(models.Model):
    KINDS = [(kind.name, kind.label) for kind in KIND_REGISTRY.values()]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notification_channels")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=KINDS, default="webhook")
    url = models.CharField(max_length=2000, blank=True, validators=[URLValidator(schemes=["http", "https"])],
                           help_text="http(s) URL of the receiver (not used by email channels)")  # fmt: skip
    config = models.JSONField(default=dict, blank=True, help_text="the kind's settings (see docs/alerting-channels.md)")
    secrets = models.JSONField(default=dict, blank=True, help_text="routing keys, passwords, tokens: never shown")
    enabled = models.BooleanField(default=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        default=0, help_text="at most this many notifications a minute (bursts up to as many); 0: no limit")
    escalate_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    help_text="channel notified too when an alert stays unacknowledged")  # fmt: skip
    escalate_after_seconds = models.PositiveIntegerField(null=True, blank=True)
    # the rate limiter's token bucket (webapp.costs.senders)
    rate_tokens = models.FloatField(null=True, blank=True, editable=False)
    rate_refilled_at = models.FloatField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__slug", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="one_channel_name_per_project")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def destination(self) -> str:
        """The URL deliveries go to (the kind's default when none is set)."""
        kind = KIND_REGISTRY.get(self.kind)
        return self.url or (kind.default_url if kind else "")

    @property
    def send_resolved(self) -> bool:
        return bool((self.config or {}).get("send_resolved", True))

    def clean(self) -> None:
        """Per-kind settings (errors name the field), escalation within the project, and destinations
        the outbound policy forbids (checked again at every delivery)."""
        try:
            kind = channel_kind(self.kind)
            self.config = kind.clean_config(self.config)
            self.secrets = kind.clean_secrets(self.secrets)
        except ConfigError as exc:
            raise ValidationError({exc.field: str(exc)}) from None
        if kind.name == "email" and bool(self.secrets.get("username")) != bool(self.secrets.get("password")):
            raise ValidationError({"secrets.password": "username and password go together"})
        if kind.url == "required" and not self.url:
            raise ValidationError({"url": f"a {kind.name} channel needs the receiver's URL"})
        if kind.url == "none" and self.url:
            raise ValidationError({"url": f"a {kind.name} channel has no URL"})
        self._clean_escalation()
        self._check_destination()

    def _clean_escalation(self) -> None:
        if (self.escalate_to_id is None) != (self.escalate_after_seconds is None):
            raise ValidationError({"escalate_after_seconds": "escalate_to and escalate_after_seconds go together"})
        target = self.escalate_to
        if target is None:
            return
        if target.project_id != self.project_id:
            raise ValidationError({"escalate_to": "no such channel in this project"})
        if self.pk is not None and target.pk == self.pk:
            raise ValidationError({"escalate_to": "a channel cannot escalate to itself"})

    def _check_destination(self) -> None:
        if self.kind == "email":
            host, port = self.config.get("host"), self.config.get("port")
            url, field = (f"http://{_bracket(host)}:{port}/" if host else ""), "config.host"
        else:
            url, field = self.destination, "url"
        if not url:
            return
        try:
            client_from_settings().check_url(url)
        except DestinationRefused as exc:
            raise ValidationError({field: str(exc)}) from None
        except OutboundError:
            pass  # not resolvable today: may be tomorrow; delivery checks it then


def _bracket(host: Any) -> str:
    return f"[{host}]" if ":" in str(host) else str(host)
