"""One notification's delivery to one channel (an integration), retried on its own: a channel that
took the notification is never sent it again when another channel of the same alert failed."""

from __future__ import annotations

from django.db import models

from webapp.costs.models.channels import NotificationChannel


class ChannelDelivery(models.Model):
    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="deliveries")
    group_key = models.CharField(max_length=1000, help_text="the alert group the notification is about")
    message = models.JSONField(help_text="the AlertMessage, as sent to every channel of the notification")
    status = models.CharField(max_length=16, default=PENDING,
                              choices=[(s, s) for s in (PENDING, DELIVERED, FAILED)])  # fmt: skip
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"], name="channel_delivery_pending")]

    def __str__(self) -> str:
        return f"{self.group_key} to {self.channel_id}: {self.status} after {self.attempts} attempt(s)"
