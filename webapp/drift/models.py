"""Drift monitors (one per project and model) and the references they compare windows against.

A monitor names the features to watch (empty: every feature of its reference), methods per feature,
per feature type or monitor-wide (empty: automatic), thresholds and the window length. A reference
stores base summaries (sorted values, histograms, quantiles, category counts) as a JSON manifest plus
one compressed numpy archive; embedding vectors live in Qdrant, the manifest names their dataset version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from webapp.projects.models import Project
from workers.analysis.drift import DriftConfigError, FeatureType, get_test

MIN_WINDOW_SECONDS = 60
MAX_WINDOW_SECONDS = 30 * 86_400
REFERENCE_SOURCES = [("upload", "uploaded"), ("window", "past window"), ("dataset", "embedding dataset")]
CONCEPT_METRICS = [("accuracy", "accuracy"), ("f1", "macro F1"), ("mae", "mean absolute error")]
FEATURE_TYPES = (FeatureType.NUMERICAL.value, FeatureType.CATEGORICAL.value)


def _check_method(name: str, field: str, key: str = "") -> None:
    try:
        get_test(name)
    except DriftConfigError as exc:
        raise ValidationError({field: f"{key}: {exc}" if key else str(exc)}) from None


def _check_mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValidationError({where: "must be an object keyed by name"})
    return value


class DriftMonitor(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="drift_monitors")
    model_id = models.CharField(max_length=256, help_text="the pyflare.model.id of the monitored spans")
    enabled = models.BooleanField(default=True)
    window_seconds = models.PositiveIntegerField(
        default=3600, validators=[MinValueValidator(MIN_WINDOW_SECONDS), MaxValueValidator(MAX_WINDOW_SECONDS)]
    )
    features = models.JSONField(default=list, blank=True, help_text="feature names; empty: all of the reference")
    feature_types = models.JSONField(default=dict, blank=True, help_text="name -> numerical|categorical")
    feature_methods = models.JSONField(default=dict, blank=True, help_text="name -> method")
    type_methods = models.JSONField(default=dict, blank=True, help_text="numerical|categorical -> method")
    method = models.CharField(max_length=64, blank=True, help_text="monitor-wide method; empty: automatic")
    thresholds = models.JSONField(default=dict, blank=True, help_text="name -> threshold")
    drift_share = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="feature drift of the model when at least this share of features drifted",
    )  # fmt: skip
    prediction_method = models.CharField(max_length=64, blank=True)
    prediction_threshold = models.FloatField(null=True, blank=True)
    embedding_method = models.CharField(max_length=64, blank=True)
    embedding_threshold = models.FloatField(null=True, blank=True)
    concept_metric = models.CharField(max_length=16, choices=CONCEPT_METRICS, default="accuracy")
    concept_alpha = models.FloatField(default=0.05, validators=[MinValueValidator(1e-6), MaxValueValidator(0.5)])
    min_samples = models.PositiveIntegerField(default=30, validators=[MinValueValidator(2)])
    max_window_rows = models.PositiveIntegerField(
        default=200_000, validators=[MinValueValidator(100)], help_text="larger windows are sampled by span id"
    )
    reference = models.ForeignKey("DriftReference", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channels = models.ManyToManyField(
        "costs.NotificationChannel", blank=True, related_name="drift_monitors",
        help_text="where drift alerts of this monitor are sent",
    )  # fmt: skip
    last_window_end = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project__slug", "model_id"]
        constraints = [models.UniqueConstraint(fields=["project", "model_id"], name="one_drift_monitor_per_model")]

    def __str__(self) -> str:
        return f"drift monitor {self.model_id} in {self.project_id and self.project.slug}"

    def clean(self) -> None:
        if not isinstance(self.features, list) or not all(isinstance(f, str) for f in self.features):
            raise ValidationError({"features": "must be a list of feature names"})
        for name, kind in _check_mapping(self.feature_types, "feature_types").items():
            if kind not in FEATURE_TYPES:
                raise ValidationError({"feature_types": f"{name}: use one of {', '.join(FEATURE_TYPES)}"})
        for name, method in _check_mapping(self.feature_methods, "feature_methods").items():
            _check_method(str(method), "feature_methods", name)
        for kind, method in _check_mapping(self.type_methods, "type_methods").items():
            if kind not in FEATURE_TYPES:
                raise ValidationError({"type_methods": f"{kind}: use one of {', '.join(FEATURE_TYPES)}"})
            _check_method(str(method), "type_methods", kind)
        for name, value in _check_mapping(self.thresholds, "thresholds").items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValidationError({"thresholds": f"{name}: a threshold is a number"})
        for field in ("method", "prediction_method", "embedding_method"):
            if getattr(self, field):
                _check_method(getattr(self, field), field)


class DriftReference(models.Model):
    monitor = models.ForeignKey(DriftMonitor, on_delete=models.CASCADE, related_name="references")
    source = models.CharField(max_length=16, choices=REFERENCE_SOURCES)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=300, blank=True)
    row_count = models.PositiveBigIntegerField(default=0)
    manifest = models.JSONField(default=dict, help_text="summaries with arrays replaced by archive keys")
    arrays = models.BinaryField(default=b"", help_text="numpy .npz archive (compressed) of the manifest's arrays")
    size_bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} reference #{self.pk} of {self.monitor.model_id}"

    @property
    def feature_names(self) -> list[str]:
        return sorted(self.manifest.get("features", {}))


class DriftAlert(models.Model):
    """One drift episode of a monitor: opened (and notified once) when a window crosses a threshold,
    kept open while later windows still do, resolved by the first clean window."""

    FIRING, RESOLVED = "firing", "resolved"

    monitor = models.ForeignKey(DriftMonitor, on_delete=models.CASCADE, related_name="alerts")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="drift_alerts")
    status = models.CharField(max_length=16, choices=[(FIRING, FIRING), (RESOLVED, RESOLVED)], default=FIRING)
    title = models.CharField(max_length=500)
    severity = models.FloatField(help_text="combined drift severity of the latest window (0-1)")
    max_severity = models.FloatField()
    drifted_types = models.JSONField(default=list)
    drifted_features = models.JSONField(default=list)
    first_window_start = models.DateTimeField()
    last_window_end = models.DateTimeField()
    windows = models.PositiveIntegerField(default=1, help_text="windows scored while firing")
    run_id = models.CharField(max_length=64, help_text="the run that opened the alert")
    opened_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor"], condition=models.Q(status="firing"), name="one_firing_drift_alert_per_monitor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"


class DriftAlertDelivery(models.Model):
    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

    alert = models.ForeignKey(DriftAlert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey("costs.NotificationChannel", on_delete=models.SET_NULL, null=True, related_name="+")
    target = models.CharField(max_length=2000, help_text="where it was sent (kept if the channel is deleted)")
    status = models.CharField(max_length=16, default=PENDING, choices=[(s, s) for s in (PENDING, DELIVERED, FAILED)])
    response_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"drift alert {self.alert_id} to {self.target}: {self.status}"
