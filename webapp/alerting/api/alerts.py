"""Alerts over REST: the list with the seed's filters, one alert, acknowledge and resolve.

Acknowledging keeps the alert firing (its notifications continue to follow the group's timers);
resolving by hand ends the occurrence: its group notifies the resolution at its next flush, and a
rule that still finds the condition opens a new occurrence at its next evaluation.
"""

from __future__ import annotations

import time

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.alerting.api.common import READ, WRITE, actor, record_events
from webapp.alerting.models import Alert
from webapp.alerting.models.alerts import FIRING, RESOLVED, STATES
from webapp.alerting.models.rules import SEVERITIES
from webapp.alerting.pipeline import acknowledge, event, resolve
from webapp.api.telemetry import telemetry_client
from webapp.projects.access import ProjectScoped
from workers.storage.alerting.events import alert_history

ALERT_ID = OpenApiParameter("alert_id", int, OpenApiParameter.PATH, description="the alert's id")
MAX_LIMIT = 1000


class AlertSerializer(serializers.ModelSerializer):
    rule_id = serializers.IntegerField(allow_null=True, read_only=True)
    alertname = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "fingerprint", "alertname", "rule_id", "source", "state", "severity", "model_id", "labels",
                  "annotations", "value", "starts_at", "ends_at", "updated_at", "acknowledged_by", "acknowledged_at",
                  "resolved_by", "muted_by", "group_key", "last_notified_at"]  # fmt: skip
        read_only_fields = fields

    def get_alertname(self, obj: Alert) -> str:
        return str(obj.labels.get("alertname", ""))


class AlertEventSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    event = serializers.CharField(help_text="firing, acknowledged, resolved, notified, notify_failed, muted, unmuted")
    state = serializers.CharField(help_text="the alert's state after the event")
    actor = serializers.CharField(help_text="who acknowledged / resolved by hand, or what muted it")
    channel = serializers.CharField(help_text="the channel a notification went to")
    value = serializers.FloatField(allow_null=True)


class AlertListSerializer(serializers.Serializer):
    alerts = AlertSerializer(many=True)
    total = serializers.IntegerField(help_text="alerts matching the filters (before the limit)")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="matching alerts by state")


def _choice(request: Request, name: str, options: list[tuple[str, str]]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in {v for v, _ in options}:
        raise ValidationError({name: f"{value!r} is not one of {', '.join(v for v, _ in options)}"})
    return value


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError({"limit": f"must be a whole number from 1 to {MAX_LIMIT}"})
    return int(raw)


class AlertListView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}

    @extend_schema(parameters=[
        OpenApiParameter("status", str, enum=[s for s, _ in STATES]),
        OpenApiParameter("severity", str, enum=[s for s, _ in SEVERITIES]),
        OpenApiParameter("model_id", str), OpenApiParameter("rule_id", int),
        OpenApiParameter("limit", int, description=f"at most {MAX_LIMIT} (default 100)"),
    ], responses=AlertListSerializer, summary="Alerts, newest first", tags=["alerts"],
        operation_id="alerts_list")  # fmt: skip
    def get(self, request: Request) -> Response:
        rows = Alert.objects.filter(project=self.access.project)
        severity = _choice(request, "severity", SEVERITIES)
        if severity:
            rows = rows.filter(severity=severity)
        if request.query_params.get("model_id"):
            rows = rows.filter(model_id=request.query_params["model_id"])
        rule_id = request.query_params.get("rule_id")
        if rule_id is not None:
            if not rule_id.isdigit():
                raise ValidationError({"rule_id": "must be a rule's numeric id"})
            rows = rows.filter(rule_id=int(rule_id))
        counts = {s: 0 for s, _ in STATES}
        for row in rows.values_list("state", flat=True):
            counts[row] += 1
        status_filter = _choice(request, "status", STATES)
        if status_filter:
            rows = rows.filter(state=status_filter)
        limit = _limit(request)
        return Response({"alerts": AlertSerializer(rows[:limit], many=True).data, "total": rows.count(),
                         "counts": counts})  # fmt: skip


def _alert(view: ProjectScoped, alert_id: int) -> Alert:
    return get_object_or_404(Alert.objects.select_related("project"), pk=alert_id, project=view.access.project)


class AlertDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}

    @extend_schema(parameters=[ALERT_ID], responses=AlertSerializer, summary="One alert", tags=["alerts"],
                   operation_id="alerts_retrieve")  # fmt: skip
    def get(self, request: Request, alert_id: int) -> Response:
        return Response(AlertSerializer(_alert(self, alert_id)).data)


class AcknowledgeView(ProjectScoped, APIView):
    required_permissions = {"POST": WRITE}

    @extend_schema(parameters=[ALERT_ID], request=None, responses=AlertSerializer, tags=["alerts"],
                   summary="Acknowledge a firing alert (someone is on it)", operation_id="alerts_acknowledge")
    def post(self, request: Request, alert_id: int) -> Response:
        row = _alert(self, alert_id)
        if row.state != FIRING:
            raise ValidationError({"state": f"only a firing alert can be acknowledged; this one is {row.state}"})
        now = time.time()
        acknowledge(row, now, actor(request))
        record_events([event(row, "acknowledged", now, actor=row.acknowledged_by)])
        return Response(AlertSerializer(row).data)


class ResolveView(ProjectScoped, APIView):
    required_permissions = {"POST": WRITE}

    @extend_schema(parameters=[ALERT_ID], request=None, responses=AlertSerializer, tags=["alerts"],
                   summary="Resolve an alert by hand", operation_id="alerts_resolve")  # fmt: skip
    def post(self, request: Request, alert_id: int) -> Response:
        row = _alert(self, alert_id)
        if row.state == RESOLVED:
            raise ValidationError({"state": "the alert is already resolved"})
        now = time.time()
        resolve(row, now, actor(request))
        record_events([event(row, "resolved", now, actor=row.resolved_by)])
        return Response(AlertSerializer(row).data)


class AlertHistoryView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}

    @extend_schema(parameters=[ALERT_ID], responses=AlertEventSerializer(many=True), tags=["alerts"],
                   summary="An alert's state changes and notifications, oldest first (alert_events)",
                   operation_id="alerts_history")  # fmt: skip
    def get(self, request: Request, alert_id: int) -> Response:
        row = _alert(self, alert_id)
        events = alert_history(telemetry_client(), self.access.project.slug, row.pk)
        return Response(AlertEventSerializer(events, many=True).data)
