"""Query form and response shape of `GET /logs`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.params import MAX_TEXT, HexIdField, TimeField, limit_field
from workers.storage.logs.reads import parse_severity


@extend_schema_field(OpenApiTypes.STR)
class SeverityField(serializers.Field):
    """A minimum severity: a number 1-24 or a name; the number after validation."""

    def to_internal_value(self, data: Any) -> int:
        try:
            return parse_severity(str(data)[:32])
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value: int) -> str:
        return str(value)


class LogListQuery(serializers.Serializer):
    start_time = TimeField(required=False, help_text="records at or after this time")
    end_time = TimeField(required=False, help_text="records at or before this time")
    severity = SeverityField(
        required=False,
        help_text=(
            "minimum severity: a number 1-24 or TRACE, DEBUG, INFO, WARN, ERROR, FATAL "
            "(records without a severity are left out)"
        ),
    )
    service = serializers.CharField(required=False, max_length=MAX_TEXT)
    trace_id = HexIdField(32, required=False)
    span_id = HexIdField(16, required=False)
    q = serializers.CharField(
        required=False, max_length=MAX_TEXT, trim_whitespace=False, help_text="case-insensitive substring of the body"
    )
    limit = limit_field(100, 1000)
    cursor = serializers.CharField(required=False, max_length=2000, help_text="next_cursor of the previous page")


class LogRecordSerializer(serializers.Serializer):
    time = serializers.CharField()
    time_unix_nano = serializers.IntegerField()
    observed_time = serializers.CharField()
    severity_number = serializers.IntegerField()
    severity_text = serializers.CharField()
    service_name = serializers.CharField()
    trace_id = serializers.CharField()
    span_id = serializers.CharField()
    body = serializers.CharField()
    event_name = serializers.CharField()
    model_id = serializers.CharField()
    attributes = serializers.DictField(child=serializers.CharField())
    resource = serializers.DictField(child=serializers.CharField())
    scope_name = serializers.CharField()


class LogListSerializer(serializers.Serializer):
    logs = LogRecordSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)
