"""Notification channels of a project: where alerts are sent. Webhooks for now.

A channel kind is one entry of `webapp.costs.notify.CHANNEL_KINDS`; the alerting issue adds kinds
(and may move this model into its app) without changing budgets.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from webapp.outbound import DestinationRefused, OutboundError, client_from_settings
from webapp.projects.models import Project


class NotificationChannel(models.Model):
    KINDS = [("webhook", "webhook (POST JSON)")]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notification_channels")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=KINDS, default="webhook")
    url = models.CharField(max_length=2000, validators=[URLValidator(schemes=["http", "https"])],
                           help_text="http(s) URL that receives the alert as a JSON POST")  # fmt: skip
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__slug", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="one_channel_name_per_project")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def clean(self) -> None:
        """Refuse destinations the outbound policy forbids (checked again at every delivery)."""
        if not self.url:
            return
        try:
            client_from_settings().check_url(self.url)
        except DestinationRefused as exc:
            raise ValidationError({"url": str(exc)}) from None
        except OutboundError:
            pass  # not resolvable today: may be tomorrow; delivery checks it then
