"""What keeps alerts quiet: silences (matchers over a time span), maintenance windows (one-off or
weekly recurring, per model) and inhibition rules (a firing source mutes matching targets)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from webapp.alerting.models.checks import label_names, matchers
from webapp.projects.models import Project
from workers.analysis.alerting import InhibitRule, MatcherError, TimeOfDay, WindowError
from workers.analysis.alerting import MaintenanceWindow as WindowSpec
from workers.analysis.alerting import Silence as SilenceSpec
from workers.analysis.alerting.silences import check_silence


def epoch(moment: datetime) -> float:
    return moment.timestamp()


class Silence(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="silences")
    matchers = models.JSONField(help_text='matchers such as model_id="gpt-4o", service=~"api|web" (anchored)')
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    created_by = models.CharField(max_length=254, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "id"]

    def __str__(self) -> str:
        return f"silence {self.pk}: {', '.join(self.matchers)}"

    def spec(self) -> SilenceSpec:
        return SilenceSpec(str(self.pk), matchers("matchers", self.matchers), epoch(self.starts_at),
                           epoch(self.ends_at), self.created_by, self.comment)  # fmt: skip

    def clean(self) -> None:
        parsed = matchers("matchers", self.matchers)
        if self.starts_at is None or self.ends_at is None:
            return  # the field errors say it
        try:
            check_silence(parsed, epoch(self.starts_at), epoch(self.ends_at))
        except MatcherError as exc:
            field = "ends_at" if "end after" in str(exc) else "matchers"
            raise ValidationError({field: str(exc)}) from None

    def state(self, now: datetime | None = None) -> str:
        moment = now or timezone.now()
        if moment < self.starts_at:
            return "pending"
        return "active" if moment < self.ends_at else "expired"

    def expire(self, now: datetime | None = None) -> None:
        """End it now (a pending silence ends before it starts mattering, as Alertmanager does)."""
        moment = now or timezone.now()
        if self.ends_at > moment:
            self.starts_at = min(self.starts_at, moment)
            self.ends_at = moment
            self.save(update_fields=["starts_at", "ends_at", "updated_at"])


class MaintenanceWindow(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="maintenance_windows")
    name = models.CharField(max_length=200)
    model_ids = models.JSONField(default=list, blank=True, help_text="model ids it mutes (none: every alert)")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="one-off: start")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="one-off: end")
    weekdays = models.JSONField(default=list, blank=True, help_text="recurring: 0 = Monday … 6 = Sunday")
    times = models.JSONField(default=list, blank=True, help_text='recurring: [["22:00", "24:00"], …] local time')
    timezone = models.CharField(max_length=64, default="UTC")
    enabled = models.BooleanField(default=True)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__slug", "name"]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> WindowSpec:
        if not isinstance(self.model_ids, list) or not all(isinstance(m, str) for m in self.model_ids):
            raise WindowError("model_ids must be a list of model ids")
        if not isinstance(self.weekdays, list) or not all(isinstance(d, int) for d in self.weekdays):
            raise WindowError("weekdays must be a list of numbers 0 (Monday) to 6 (Sunday)")
        if not isinstance(self.times, list) or not all(
            isinstance(r, list) and len(r) == 2 and all(isinstance(t, str) for t in r) for r in self.times
        ):
            raise WindowError('times must be a list of ["HH:MM", "HH:MM"] ranges')
        return WindowSpec(
            self.name, tuple(self.model_ids),
            epoch(self.starts_at) if self.starts_at else None, epoch(self.ends_at) if self.ends_at else None,
            tuple(self.weekdays), tuple((TimeOfDay.parse(a), TimeOfDay.parse(b)) for a, b in self.times),
            self.timezone,
        )  # fmt: skip

    def clean(self) -> None:
        try:
            self.spec()
        except WindowError as exc:
            text = str(exc)
            field = next((f for f in ("model_ids", "weekdays", "time zone", "time", "one-off") if f in text), "")
            name = {"time zone": "timezone", "time": "times", "one-off": "starts_at", "": "__all__"}.get(field, field)
            raise ValidationError({name: text}) from None


class InhibitionRule(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inhibition_rules")
    name = models.CharField(max_length=200)
    source_matchers = models.JSONField(help_text="alerts that, while firing, mute the targets")
    target_matchers = models.JSONField(help_text="alerts muted while a source fires")
    equal = models.JSONField(default=list, blank=True, help_text="labels source and target must share")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__slug", "name"]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> InhibitRule:
        return InhibitRule(matchers("source_matchers", self.source_matchers),
                           matchers("target_matchers", self.target_matchers), tuple(self.equal))  # fmt: skip

    def clean(self) -> None:
        self.spec()
        label_names("equal", self.equal)
        if not self.source_matchers or not self.target_matchers:
            raise ValidationError({"source_matchers" if not self.source_matchers else "target_matchers":
                                   "needs at least one matcher"})  # fmt: skip
