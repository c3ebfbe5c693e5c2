"""A rule's metric over the last day before it is saved (`POST /alerts/rules/preview`): the rule
editor draws it with the threshold line. Reads only, so alerts:read is enough."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.alerting.api.common import READ
from webapp.api.telemetry import telemetry_client
from webapp.projects.access import ProjectScoped
from workers.analysis.alerting import (
    CompositeRule,
    PatternRule,
    RuleConfigError,
    RuleType,
    ThresholdRule,
    format_duration,
    parse_rule,
)
from workers.storage.alerting.metrics import UnsupportedQuery
from workers.storage.alerting.preview import preview


class RulePreviewRequestSerializer(serializers.Serializer):
    # the rule's own choices (one enum in the schema); a composite rule is refused in the view
    rule_type = serializers.ChoiceField(choices=[(t.value, t.value) for t in RuleType])
    config = serializers.JSONField(help_text="the rule type's configuration, as in an AlertRule")


class RulePreviewPointSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    value = serializers.FloatField(allow_null=True, help_text="null: no data in the window")


class RulePreviewSeriesSerializer(serializers.Serializer):
    labels = serializers.DictField(child=serializers.CharField(), help_text="the group_by labels of the series")
    points = RulePreviewPointSerializer(many=True)


class RulePreviewSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="the metric, or 'match_count' for a pattern rule")
    window = serializers.CharField(help_text="the rule's window each point is computed over")
    operator = serializers.CharField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True, help_text="the line the rule compares with, if any")
    series = RulePreviewSeriesSerializer(many=True)
    truncated = serializers.BooleanField(help_text="more series matched; the ones with the highest peaks are kept")


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


class RulePreviewView(ProjectScoped, APIView):
    required_permissions = {"POST": READ}

    @extend_schema(request=RulePreviewRequestSerializer, responses=RulePreviewSerializer, tags=["alerts"],
                   summary="A rule's metric over the last day (unsaved config), per series",
                   operation_id="alert_rules_preview",
                   examples=[OpenApiExample("threshold", request_only=True, value={
                       "rule_type": "threshold", "config": {"metric": "error_rate", "operator": ">", "value": 0.05,
                                                            "window": "5m", "group_by": ["model_id"]}})])  # fmt: skip
    def post(self, request: Request) -> Response:
        form = RulePreviewRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if form.validated_data["rule_type"] == RuleType.COMPOSITE:
            raise ValidationError({"rule_type": "a composite rule has no metric of its own to preview"})
        try:
            spec = parse_rule(form.validated_data["rule_type"], form.validated_data["config"])
        except RuleConfigError as exc:
            raise ValidationError({"config": str(exc)}) from None
        assert not isinstance(spec, CompositeRule)
        try:
            found = preview(telemetry_client(), self.access.project.slug, spec, time.time())
        except UnsupportedQuery as exc:
            raise ValidationError({"config": str(exc)}) from None
        if isinstance(spec, PatternRule):
            metric, window, op, line = "match_count", spec.window, spec.op, spec.value
        else:
            metric, window = spec.query.metric, spec.query.window
            op, line = (spec.op, spec.value) if isinstance(spec, ThresholdRule) else (None, None)
        series = [{"labels": s.labels, "points": [{"start": _iso(a), "end": _iso(b), "value": v}
                                                  for (a, b), v in zip(found.windows, s.values, strict=True)]}
                  for s in found.series]  # fmt: skip
        return Response({"metric": metric, "window": format_duration(window), "operator": op, "threshold": line,
                         "series": series, "truncated": found.truncated})  # fmt: skip
