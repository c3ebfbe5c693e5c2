"""Query forms and response shapes of the metrics endpoints."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.params import MAX_TEXT, TimeField, limit_field
from webapp.metrics.intervals import parse_interval
from webapp.metrics.services import AGGREGATIONS

_GROUP_BY = re.compile(r"^(service|model_id|(attr|resource)\..{1,256})$", re.DOTALL)


class MetricListQuery(serializers.Serializer):
    start_time = TimeField(required=False, help_text="only points at or after this time")
    end_time = TimeField(required=False, help_text="only points at or before this time")
    service = serializers.CharField(required=False, max_length=MAX_TEXT)
    q = serializers.CharField(required=False, max_length=MAX_TEXT, help_text="case-insensitive substring of the name")
    limit = limit_field(1000, 10000)
    cursor = serializers.CharField(required=False, max_length=2000, help_text="next_cursor of the previous page")


@extend_schema_field(OpenApiTypes.STR)
class IntervalField(serializers.Field):
    """An interval such as 5m; seconds after validation."""

    def to_internal_value(self, data: Any) -> int:
        try:
            return parse_interval(str(data)[:32])
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value: int) -> str:
        return str(value)


class TimeSeriesQuery(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_TEXT, help_text="the metric name")
    start_time = TimeField(required=False, help_text="default: one hour before end_time")
    end_time = TimeField(required=False, help_text="default: now")
    interval = IntervalField(
        required=False,
        help_text="bucket width: a whole number with s, m, h or d (30s, 5m, 1h, 1d); default: about 120 buckets",
    )
    aggregation = serializers.ChoiceField(choices=list(AGGREGATIONS), default="avg")
    group_by = serializers.RegexField(
        _GROUP_BY,
        required=False,
        max_length=300,
        error_messages={"invalid": "group by service, model_id, attr.<key> or resource.<key>"},
        help_text="one series per value of: service, model_id, attr.<key> or resource.<key>",
    )
    service = serializers.CharField(required=False, max_length=MAX_TEXT)
    model_id = serializers.CharField(required=False, max_length=MAX_TEXT)


class MetricSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["gauge", "sum", "histogram", "exponential_histogram", "summary"])
    unit = serializers.CharField()
    description = serializers.CharField()
    temporality = serializers.CharField(help_text="'', delta or cumulative")
    last_value = serializers.FloatField(
        help_text="value of the latest point (of any series when several share its time); for distributions the mean"
    )
    last_time = serializers.CharField()
    series_count = serializers.IntegerField(help_text="distinct (service, model, attributes, resource, scope)")
    point_count = serializers.IntegerField()


class MetricListSerializer(serializers.Serializer):
    metrics = MetricSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class PointSerializer(serializers.Serializer):
    time = serializers.CharField(help_text="start of the interval")
    time_unix_nano = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True, help_text="null when the interval's points hold no data")


class SeriesSerializer(serializers.Serializer):
    group = serializers.DictField(child=serializers.CharField(), help_text="{group_by: value}; {} without group_by")
    points = PointSerializer(many=True, help_text="intervals that hold points, in time order")


class TimeSeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    unit = serializers.CharField()
    aggregation = serializers.ChoiceField(choices=list(AGGREGATIONS))
    interval = serializers.CharField()
    interval_seconds = serializers.IntegerField()
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    percentile_source = serializers.ChoiceField(
        choices=["data_points", "histogram_buckets"],
        allow_null=True,
        help_text="for p50/p95/p99: exact over point values, or interpolated from histogram buckets",
    )
    series = SeriesSerializer(many=True)
    series_truncated = serializers.BooleanField(
        help_text="more than 100 groups; the first 100 in group-value order are shown"
    )
