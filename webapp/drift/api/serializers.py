"""Request and response shapes of the drift API (DriftStatus and DriftScore follow the seed contract)."""

from __future__ import annotations

import math
import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.params import TimeField
from webapp.costs.models import NotificationChannel
from webapp.drift.models import CONCEPT_METRICS, FEATURE_TYPES, MAX_WINDOW_SECONDS, MIN_WINDOW_SECONDS, DriftMonitor
from webapp.drift.services import DRIFT_TYPES
from workers.analysis.drift import all_tests
from workers.analysis.drift.monitor.reference_set import PREDICTION_SOURCES
from workers.storage.drift.vectors import MAX_DIM

MAX_VALUES = 1_000_000
MAX_VECTORS = 20_000
MAX_FEATURES = 1000
WINDOW_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_WINDOW = re.compile(r"^\s*(\d{1,7})\s*([smhd]?)\s*$")
VERSION = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
STATUSES = ["healthy", "warning", "drifted"]


def method_choices() -> list[str]:
    return ["", *all_tests()]


# No `enum` in the schema: the same choice set under several field names makes the enum hook warn.
@extend_schema_field({"type": "string", "description": "a drift method (" + ", ".join(method_choices()[1:]) + ")"})
class MethodField(serializers.ChoiceField):
    """A registered drift method name (one inline schema, not an enum component per field)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=method_choices(), **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = str(super().to_internal_value(data))
        if value == "" and not self.allow_blank:
            self.fail("invalid_choice", input=data)
        return value


def parse_window(value: Any) -> int:
    """Seconds from 300, "300s", "5m", "1h" or "1d"."""
    if isinstance(value, bool):
        raise serializers.ValidationError("a window is seconds or text like 5m, 1h, 1d")
    match = _WINDOW.match(str(value)) if isinstance(value, int | str) else None
    if match is None:
        raise serializers.ValidationError("a window is seconds or text like 5m, 1h, 1d")
    seconds = int(match.group(1)) * WINDOW_UNITS[match.group(2) or "s"]
    if not MIN_WINDOW_SECONDS <= seconds <= MAX_WINDOW_SECONDS:
        raise serializers.ValidationError(f"a window lasts from {MIN_WINDOW_SECONDS} s to 30 days")
    return seconds


def window_text(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % WINDOW_UNITS[unit] == 0:
            return f"{seconds // WINDOW_UNITS[unit]}{unit}"
    return f"{seconds}s"


@extend_schema_field({"oneOf": [{"type": "string", "example": "1h"}, {"type": "integer"}]})
class WindowField(serializers.Field):
    def to_internal_value(self, data: Any) -> int:
        return parse_window(data)

    def to_representation(self, value: int) -> str:
        return window_text(value)


class FiniteFloatField(serializers.FloatField):
    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError("must be a finite number")
        return value


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}], "nullable": True})
class ScalarField(serializers.Field):
    """A number, string, boolean or null, kept as sent."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, float) and not math.isfinite(data):
            raise serializers.ValidationError("numbers must be finite")
        if data is not None and not isinstance(data, str | int | float | bool):
            raise serializers.ValidationError("a value is a number, string, boolean or null")
        if isinstance(data, str) and len(data) > 1000:
            raise serializers.ValidationError("a category is at most 1000 characters")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class HistogramSerializer(serializers.Serializer):
    edges = serializers.ListField(child=FiniteFloatField(), min_length=2, max_length=10_001)
    counts = serializers.ListField(child=FiniteFloatField(min_value=0), min_length=1, max_length=10_000)


class QuantilesSerializer(serializers.Serializer):
    probs = serializers.ListField(child=FiniteFloatField(min_value=0, max_value=1), min_length=2, max_length=100_001)
    values = serializers.ListField(child=FiniteFloatField(), min_length=2, max_length=100_001)
    count = serializers.IntegerField(min_value=1, help_text="number of samples the quantiles summarise")


class DistributionSerializer(serializers.Serializer):
    """Exactly one form: raw `values`, a `histogram`, `quantiles` or category `counts`."""

    values = serializers.ListField(child=ScalarField(), required=False, min_length=1, max_length=MAX_VALUES)
    histogram = HistogramSerializer(required=False, help_text="numpy-style edges (k+1) and counts (k)")
    quantiles = QuantilesSerializer(required=False, help_text="probs from 0 (minimum) to 1 (maximum)")
    counts = serializers.DictField(child=FiniteFloatField(min_value=0), required=False, help_text="category -> count")


class FeaturePartSerializer(DistributionSerializer):
    type = serializers.ChoiceField(choices=list(FEATURE_TYPES), required=False, help_text="default: inferred")


class PredictionPartSerializer(DistributionSerializer):
    type = serializers.ChoiceField(
        choices=list(PREDICTION_SOURCES), help_text="class labels, prediction scores, or numeric predicted values"
    )


class LabelsSerializer(serializers.Serializer):
    true = serializers.ListField(child=ScalarField(allow_null=False), min_length=1, max_length=MAX_VALUES)
    predicted = serializers.ListField(child=ScalarField(allow_null=False), min_length=1, max_length=MAX_VALUES)


class EmbeddingsSerializer(serializers.Serializer):
    dataset_version = serializers.RegexField(VERSION, required=False, help_text="default: a new upload-<uuid>")
    vectors = serializers.ListField(
        child=serializers.ListField(child=FiniteFloatField(), min_length=1, max_length=MAX_DIM),
        required=False,
        max_length=MAX_VECTORS,
        help_text="rows of one dimension; omit to use vectors already stored under dataset_version",
    )
    dim = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DIM, help_text="dimension of vectors already stored (no vectors)"
    )
    append = serializers.BooleanField(default=False, help_text="add to an existing dataset version (chunked upload)")
    embedding_type = serializers.CharField(required=False, allow_blank=True, max_length=64)


class WindowSerializer(serializers.Serializer):
    start = TimeField()
    end = TimeField()


class ReferenceUploadSerializer(serializers.Serializer):
    features = serializers.DictField(child=FeaturePartSerializer(), required=False)
    predictions = PredictionPartSerializer(required=False)
    labels = LabelsSerializer(required=False, help_text="true and predicted labels, for concept drift")
    embeddings = EmbeddingsSerializer(required=False)
    window = WindowSerializer(required=False, help_text="take everything from this past window of the model's spans")
    mode = serializers.ChoiceField(
        choices=["replace", "merge"], default="replace", help_text="merge keeps parts of the current reference"
    )

    def validate_features(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_FEATURES:
            raise serializers.ValidationError(f"at most {MAX_FEATURES} features per reference")
        for name in value:
            if not name or len(name) > 256:
                raise serializers.ValidationError("feature names are 1-256 characters")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        parts = [k for k in ("features", "predictions", "labels", "embeddings") if attrs.get(k)]
        if attrs.get("window") and parts:
            raise serializers.ValidationError("send either a window or uploaded parts, not both")
        if not attrs.get("window") and not parts:
            raise serializers.ValidationError(
                "send a window or at least one of features, predictions, labels, embeddings"
            )
        window = attrs.get("window")
        if window and window["start"] >= window["end"]:
            raise serializers.ValidationError({"window": "start must be before end"})
        return attrs


class MonitorSerializer(serializers.ModelSerializer):
    window = WindowField(source="window_seconds", required=False, help_text="e.g. 5m, 1h, 1d (60 s to 30 days)")
    features = serializers.ListField(
        child=serializers.CharField(max_length=256), required=False, max_length=MAX_FEATURES,
        help_text="features to watch; empty: every feature of the reference",
    )  # fmt: skip
    feature_types = serializers.DictField(child=serializers.ChoiceField(choices=list(FEATURE_TYPES)), required=False)
    feature_methods = serializers.DictField(child=MethodField(), required=False)
    type_methods = serializers.DictField(child=MethodField(), required=False)
    method = MethodField(required=False, allow_blank=True)
    thresholds = serializers.DictField(child=FiniteFloatField(), required=False)
    prediction_method = MethodField(required=False, allow_blank=True)
    embedding_method = MethodField(required=False, allow_blank=True)
    prediction_threshold = FiniteFloatField(required=False, allow_null=True)
    embedding_threshold = FiniteFloatField(required=False, allow_null=True)
    concept_metric = serializers.ChoiceField(choices=[c for c, _ in CONCEPT_METRICS], required=False)
    channels = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=NotificationChannel.objects.all(),
        help_text="ids of the project's notification channels that receive this monitor's alerts",
    )  # fmt: skip
    reference = serializers.SerializerMethodField()

    class Meta:
        model = DriftMonitor
        fields = [
            "model_id", "enabled", "window", "features", "feature_types", "feature_methods", "type_methods",
            "method", "thresholds", "drift_share", "prediction_method", "prediction_threshold", "embedding_method",
            "embedding_threshold", "concept_metric", "concept_alpha", "min_samples", "max_window_rows", "channels",
            "reference", "last_window_end", "last_run_at", "last_status", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "model_id", "reference", "last_window_end", "last_run_at", "last_status", "created_at", "updated_at",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.context.get("project")
        if project is not None:  # another project's channel is as unknown as a missing one
            self.fields["channels"].child_relation.queryset = NotificationChannel.objects.filter(project=project)

    @extend_schema_field({"type": "object", "nullable": True, "description": "the active reference, if any"})
    def get_reference(self, monitor: DriftMonitor) -> dict[str, Any] | None:
        stored = monitor.reference
        if stored is None:
            return None
        return {
            "id": stored.pk, "source": stored.source, "created_at": stored.created_at.isoformat(),
            "row_count": stored.row_count, "size_bytes": stored.size_bytes, "features": stored.feature_names,
            "window_start": stored.window_start.isoformat() if stored.window_start else None,
            "window_end": stored.window_end.isoformat() if stored.window_end else None,
        }  # fmt: skip


class ReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField()
    window_start = serializers.DateTimeField(allow_null=True)
    window_end = serializers.DateTimeField(allow_null=True)
    row_count = serializers.IntegerField()
    size_bytes = serializers.IntegerField(help_text="size of the stored array archive")
    parts = serializers.JSONField(help_text="features (type, form, count), predictions, labels, embedding dataset")


class RunRequestSerializer(serializers.Serializer):
    start = TimeField(required=False, help_text="window start; default: end minus the monitor's window")
    end = TimeField(required=False, help_text="window end; default: now")


class RunOutcomeSerializer(serializers.Serializer):
    monitor_id = serializers.IntegerField()
    model_id = serializers.CharField()
    window_start_ns = serializers.IntegerField()
    window_end_ns = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["scored", "skipped", "claimed_elsewhere"])
    reason = serializers.CharField()
    run_id = serializers.CharField(allow_null=True)
    n_rows = serializers.IntegerField()
    overall_status = serializers.ChoiceField(choices=STATUSES, allow_null=True)
    severity = serializers.FloatField(allow_null=True)
    drifted_types = serializers.ListField(child=serializers.CharField())
    drifted_features = serializers.ListField(child=serializers.CharField())
    skipped_types = serializers.DictField(child=serializers.CharField())
    alert = serializers.CharField(allow_null=True)


class RunQueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField()


class DriftScoreSerializer(serializers.Serializer):
    score = serializers.FloatField(min_value=0, max_value=1)
    threshold = serializers.FloatField()
    is_drifted = serializers.BooleanField()
    trend = serializers.ChoiceField(choices=["stable", "increasing", "decreasing"])
    feature_breakdown = serializers.DictField(child=serializers.FloatField())
    method = serializers.CharField(help_text="statistic behind the score")


class DriftScoresSerializer(serializers.Serializer):
    feature = DriftScoreSerializer(allow_null=True)
    embedding = DriftScoreSerializer(allow_null=True)
    concept = DriftScoreSerializer(allow_null=True)
    prediction = DriftScoreSerializer(allow_null=True)


class DriftStatusSerializer(serializers.Serializer):
    model_id = serializers.CharField()
    overall_status = serializers.ChoiceField(choices=STATUSES)
    severity = serializers.FloatField(min_value=0, max_value=1)
    drift_scores = DriftScoresSerializer()
    drifted_features = serializers.ListField(child=serializers.CharField())
    skipped = serializers.DictField(child=serializers.CharField(), help_text="drift types not scored, and why")
    has_results = serializers.BooleanField(help_text="false until the first window was scored")
    last_updated = serializers.DateTimeField(allow_null=True)
    window_start = serializers.DateTimeField(allow_null=True)
    window_end = serializers.DateTimeField(allow_null=True)


class HistoryQuerySerializer(serializers.Serializer):
    drift_type = serializers.ChoiceField(choices=[*DRIFT_TYPES, "overall"], required=False)
    feature = serializers.CharField(required=False, max_length=256, help_text="one feature's rows instead")
    start_time = TimeField(required=False)
    end_time = TimeField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=5000, default=500)


class HistoryPointSerializer(serializers.Serializer):
    run_id = serializers.CharField()
    time = serializers.DateTimeField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    drift_type = serializers.CharField()
    feature = serializers.CharField()
    method = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="the statistic (share drifted for 'feature')")
    p_value = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField()
    is_drifted = serializers.BooleanField()
    severity = serializers.FloatField(help_text="0-1; 0.5 is the threshold")
    trend = serializers.CharField(allow_null=True)


class DriftHistorySerializer(serializers.Serializer):
    model_id = serializers.CharField()
    points = HistoryPointSerializer(many=True)


class ChartSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    reference = serializers.ListField(child=serializers.FloatField(), help_text="share of the reference per bin")
    current = serializers.ListField(child=serializers.FloatField(), help_text="share of the window per bin")


class FeatureScoreSerializer(serializers.Serializer):
    feature = serializers.CharField()
    feature_type = serializers.CharField()
    method = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField()
    is_drifted = serializers.BooleanField()
    severity = serializers.FloatField()
    n_reference = serializers.IntegerField()
    n_current = serializers.IntegerField()
    histogram = ChartSerializer(allow_null=True)


class FeatureScoresSerializer(serializers.Serializer):
    model_id = serializers.CharField()
    run_id = serializers.CharField(allow_null=True)
    window_start = serializers.DateTimeField(allow_null=True)
    window_end = serializers.DateTimeField(allow_null=True)
    features = FeatureScoreSerializer(many=True)
    prediction = FeatureScoreSerializer(allow_null=True)
