"""Request and response shapes of the feedback endpoints."""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.params import HexIdField, TimeField, limit_field

SOURCES = ["user", "reviewer", "api"]
MAX_LABEL = 1000


@extend_schema_field({"oneOf": [{"type": "string", "maxLength": MAX_LABEL}, {"type": "number"}]})
class LabelField(serializers.Field):
    """A string or a finite number; kept as (text, number or None)."""

    def to_internal_value(self, data: Any) -> tuple[str, float | None]:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError("a label is a string or a number")
        if isinstance(data, str):
            if len(data) > MAX_LABEL:
                raise serializers.ValidationError(f"a label is at most {MAX_LABEL} characters")
            return data, None
        number = float(data)
        if not math.isfinite(number):
            raise serializers.ValidationError("a numeric label must be finite")
        return (str(data), number)

    def to_representation(self, value: Any) -> Any:
        return value


class FeedbackRequest(serializers.Serializer):
    trace_id = HexIdField(32)
    span_id = HexIdField(16, required=False, help_text="the span the feedback is about; omit for the whole trace")
    label = LabelField(required=False, help_text="ground truth or verdict: a string or a number")
    score = serializers.FloatField(required=False, allow_null=True, help_text="a user or reviewer score")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10_000, trim_whitespace=False)
    source = serializers.ChoiceField(choices=SOURCES, default="api")
    user_id = serializers.CharField(required=False, allow_blank=True, max_length=256)
    time = TimeField(required=False, help_text="when the feedback was given; default: now")

    def validate_score(self, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise serializers.ValidationError("a score must be a finite number")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "label" not in attrs and attrs.get("score") is None:
            raise serializers.ValidationError("send a label, a score or both")
        return attrs


class FeedbackListQuery(serializers.Serializer):
    trace_id = HexIdField(32, required=False)
    span_id = HexIdField(16, required=False)
    source = serializers.ChoiceField(choices=SOURCES, required=False)
    start_time = TimeField(required=False)
    end_time = TimeField(required=False)
    limit = limit_field(100, 1000)
    cursor = serializers.CharField(required=False, max_length=2000, help_text="next_cursor of the previous page")


class FeedbackSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    trace_id = serializers.CharField()
    span_id = serializers.CharField(help_text="'' when the feedback is about the whole trace")
    time = serializers.CharField()
    time_unix_nano = serializers.IntegerField()
    label = serializers.CharField(help_text="as sent; numbers in their text form")
    label_number = serializers.FloatField(allow_null=True, help_text="the label when it was sent as a number")
    score = serializers.FloatField(allow_null=True)
    comment = serializers.CharField()
    source = serializers.ChoiceField(choices=SOURCES)
    user_id = serializers.CharField()
    submitted_by = serializers.CharField(help_text="the API key (prefix) or signed-in user that sent it")


class FeedbackListSerializer(serializers.Serializer):
    feedback = FeedbackSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)
