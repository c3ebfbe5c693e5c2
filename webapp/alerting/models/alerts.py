"""Alerts (one row per occurrence of a label set) and the notification state of their groups.

An alert's identity is its label set (`fingerprint`); evaluations that find it firing again merge
into the open occurrence; once resolved, firing again opens a new occurrence. `in_group` says the
dispatcher still holds it (a resolved alert leaves its group once every channel was told).
"""

from __future__ import annotations

from django.db import models

from webapp.alerting.models.rules import SEVERITIES, AlertRule
from webapp.projects.models import Project

FIRING, ACKNOWLEDGED, RESOLVED = "firing", "acknowledged", "resolved"
STATES = [(s, s) for s in (FIRING, ACKNOWLEDGED, RESOLVED)]


class Alert(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alerts")
    rule = models.ForeignKey(AlertRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    source = models.CharField(max_length=16, default="rule", help_text="rule, drift or budget")
    fingerprint = models.CharField(max_length=16)
    group_key = models.CharField(max_length=200, blank=True)
    labels = models.JSONField(default=dict)
    annotations = models.JSONField(default=dict)
    severity = models.CharField(max_length=16, choices=SEVERITIES, default="warning")
    model_id = models.CharField(max_length=200, blank=True, db_index=True)
    state = models.CharField(max_length=16, choices=STATES, default=FIRING)
    value = models.FloatField(null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    acknowledged_by = models.CharField(max_length=254, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=254, blank=True, help_text="'evaluation' or who resolved it")
    muted_by = models.JSONField(default=list, blank=True, help_text="silence:<id>, window:<id>, inhibited")
    in_group = models.BooleanField(default=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["project", "fingerprint"]), models.Index(fields=["project", "state"])]

    def __str__(self) -> str:
        return f"{self.labels.get('alertname', self.fingerprint)} ({self.state})"

    @property
    def open(self) -> bool:
        return self.state != RESOLVED


class AlertGroup(models.Model):
    """One group's dispatcher state: when it flushes next, and what each channel was last told."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alert_groups")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="groups")
    key = models.CharField(max_length=200)
    labels = models.JSONField(default=dict)
    next_flush = models.FloatField(help_text="epoch seconds")
    has_flushed = models.BooleanField(default=False)
    logs = models.JSONField(default=dict, help_text="channel id -> {firing, resolved, at} of its last notification")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="one_group_per_key")]

    def __str__(self) -> str:
        return self.key
