"""Alert rules of a project: what to evaluate (type + config, validated by the pure core), how often,
how its alerts are labelled and grouped, and which notification channels they go to."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from webapp.alerting.models.checks import label_map, label_names
from webapp.costs.models import NotificationChannel
from webapp.projects.models import Project
from workers.analysis.alerting import CompositeRule, GroupPolicy, RuleConfigError, RuleSpec, RuleType, parse_rule

SEVERITIES = [("info", "info"), ("warning", "warning"), ("critical", "critical")]
DAY = 86400.0


class AlertRule(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rule_type = models.CharField(max_length=16, choices=[(t.value, t.value) for t in RuleType])
    severity = models.CharField(max_length=16, choices=SEVERITIES, default="warning")
    config = models.JSONField(default=dict, help_text="the rule type's configuration (see docs/alerting.md)")
    labels = models.JSONField(default=dict, blank=True, help_text="labels added to every alert of the rule")
    annotations = models.JSONField(default=dict, blank=True, help_text="annotations of its alerts (summary, runbook)")
    channels = models.ManyToManyField(NotificationChannel, blank=True, related_name="alert_rules")
    evaluation_interval = models.FloatField(default=60.0, validators=[MinValueValidator(10.0), MaxValueValidator(DAY)],
                                            help_text="seconds between evaluations")  # fmt: skip
    group_by = models.JSONField(default=list, blank=True, help_text="labels whose values make one group")
    group_wait = models.FloatField(default=30.0, validators=[MinValueValidator(0.0), MaxValueValidator(DAY)])
    group_interval = models.FloatField(default=300.0, validators=[MinValueValidator(1.0), MaxValueValidator(DAY)])
    repeat_interval = models.FloatField(default=4 * 3600.0,
                                        validators=[MinValueValidator(60.0), MaxValueValidator(30 * DAY)])  # fmt: skip
    enabled = models.BooleanField(default=True)
    next_evaluation_at = models.FloatField(null=True, blank=True, editable=False, help_text="epoch seconds")
    last_evaluated_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project__slug", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="one_rule_name_per_project")]

    def __str__(self) -> str:
        return f"{self.name} ({self.rule_type})"

    def spec(self) -> RuleSpec:
        return parse_rule(self.rule_type, self.config)

    def policy(self) -> GroupPolicy:
        return GroupPolicy(tuple(self.group_by), self.group_wait, self.group_interval, self.repeat_interval)

    def clean(self) -> None:
        try:
            spec = self.spec()
        except RuleConfigError as exc:
            raise ValidationError({"config": str(exc)}) from None
        if isinstance(spec, CompositeRule):
            self._check_references(spec)
        label_map("labels", self.labels)
        label_map("annotations", self.annotations)
        label_names("group_by", self.group_by)
        if self.group_interval <= 0:
            raise ValidationError({"group_interval": "must be > 0 seconds"})

    def _check_references(self, spec: CompositeRule) -> None:
        ids = spec.expression.references()
        numeric = {int(i) for i in ids if i.isdigit()}
        if len(numeric) != len(ids):
            raise ValidationError({"config": "expression: rules are referenced by their numeric ids"})
        if self.pk is not None and self.pk in numeric:
            raise ValidationError({"config": "expression: a composite rule cannot reference itself"})
        found = AlertRule.objects.filter(project_id=self.project_id, pk__in=numeric)
        missing = numeric - set(found.values_list("pk", flat=True))
        if missing:
            names = ", ".join(map(str, sorted(missing)))
            raise ValidationError({"config": f"expression: no rule {names} in this project"})
        if found.filter(rule_type=RuleType.COMPOSITE).exists():
            raise ValidationError({"config": "expression: a composite rule combines non-composite rules only"})

    def alert_labels(self, series: dict[str, Any]) -> dict[str, str]:
        """The labels of one series' alert: the rule's identity and labels, then the series' labels."""
        return {**{k: str(v) for k, v in self.labels.items()}, "alertname": self.name, "rule_id": str(self.pk),
                "severity": self.severity, **{k: str(v) for k, v in series.items()}}  # fmt: skip
