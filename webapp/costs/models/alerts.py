"""Budget alert records (one per budget, period and threshold crossed) and their deliveries.

Records live in the control-plane database rather than ClickHouse: "at most once per period" is a
unique constraint here, which holds across concurrent workers; the alerting issue builds alert
history on these rows (and may mirror them to a ClickHouse `alert_events` table for analytics).
"""

from __future__ import annotations

from django.db import models

from webapp.costs.models.budgets import Budget
from webapp.costs.models.channels import NotificationChannel
from webapp.projects.models import Project


class BudgetAlert(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_alerts")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    threshold = models.DecimalField(max_digits=9, decimal_places=3, help_text="percent of the limit")
    spend_micros = models.BigIntegerField()
    limit_micros = models.BigIntegerField()
    percent_used = models.FloatField()
    projected_spend_micros = models.BigIntegerField()
    projected_overage_micros = models.BigIntegerField()
    projection_method = models.CharField(max_length=16)
    notified = models.BooleanField(help_text="the highest threshold crossed at once is the one notified")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "period_start", "threshold"], name="one_alert_per_threshold_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.budget} reached {self.threshold} % in the period from {self.period_start:%Y-%m-%d %H:%M}"


class AlertDelivery(models.Model):
    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

    alert = models.ForeignKey(BudgetAlert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(NotificationChannel, on_delete=models.SET_NULL, null=True, related_name="+")
    target = models.CharField(max_length=2000, help_text="where it was sent (kept if the channel is deleted)")
    status = models.CharField(max_length=16, default=PENDING,
                              choices=[(s, s) for s in (PENDING, DELIVERED, FAILED)])  # fmt: skip
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"alert {self.alert_id} to {self.target}: {self.status} after {self.attempts} attempt(s)"
