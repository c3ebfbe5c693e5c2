"""Alert rules over REST (`/alerts/rules`): list, create, read, replace/change, delete."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.alerting.api.common import READ, WRITE, DurationSeconds, ProjectModelSerializer
from webapp.alerting.models import AlertRule
from webapp.costs.models import NotificationChannel
from webapp.projects.access import ProjectScoped

RULE_ID = OpenApiParameter("rule_id", int, OpenApiParameter.PATH, description="the rule's id")
EXAMPLE = {"name": "gpt-4o error rate", "rule_type": "threshold", "severity": "critical",
           "config": {"metric": "error_rate", "operator": ">", "value": 0.05, "window": "5m",
                      "filters": {"model_id": "gpt-4o"}, "group_by": ["service"]},
           "channels": [], "evaluation_interval": "1m", "group_by": ["service"], "group_wait": "30s",
           "group_interval": "5m", "repeat_interval": "4h", "labels": {"team": "ml"},
           "annotations": {"runbook": "https://wiki.example.com/runbooks/errors"}}  # fmt: skip


class RuleSerializer(ProjectModelSerializer):
    channels = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=NotificationChannel.objects.none(),
        help_text="ids of the project's notification channels",
    )  # fmt: skip
    evaluation_interval = DurationSeconds(minimum=10, maximum=86400, required=False)
    group_wait = DurationSeconds(minimum=0, maximum=86400, required=False)
    group_interval = DurationSeconds(minimum=1, maximum=86400, required=False)
    repeat_interval = DurationSeconds(minimum=60, maximum=30 * 86400, required=False)
    config = serializers.JSONField(help_text="the rule type's configuration; see docs/alerting.md")
    labels = serializers.JSONField(required=False)
    annotations = serializers.JSONField(required=False)
    group_by = serializers.JSONField(required=False)

    class Meta:
        model = AlertRule
        fields = ["id", "name", "description", "rule_type", "severity", "config", "labels", "annotations", "channels",
                  "evaluation_interval", "group_by", "group_wait", "group_interval", "repeat_interval", "enabled",
                  "last_evaluated_at", "last_error", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "last_evaluated_at", "last_error", "created_at", "updated_at"]

    def __init__(self, *args: Any, project: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["channels"].child_relation.queryset = NotificationChannel.objects.filter(project=project)


def _rule(view: ProjectScoped, rule_id: int) -> AlertRule:
    return get_object_or_404(AlertRule.objects.select_related("project"), pk=rule_id, project=view.access.project)


class RuleListView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=RuleSerializer(many=True), summary="The project's alert rules", tags=["alerts"],
                   operation_id="alert_rules_list")  # fmt: skip
    def get(self, request: Request) -> Response:
        rules = AlertRule.objects.filter(project=self.access.project).prefetch_related("channels")
        return Response(RuleSerializer(rules, many=True).data)

    @extend_schema(request=RuleSerializer, responses={201: RuleSerializer}, summary="Create an alert rule",
                   tags=["alerts"], operation_id="alert_rules_create",
                   examples=[OpenApiExample("threshold", value=EXAMPLE, request_only=True)])  # fmt: skip
    def post(self, request: Request) -> Response:
        form = RuleSerializer(data=request.data, project=self.access.project)
        form.is_valid(raise_exception=True)
        return Response(RuleSerializer(form.save_for(self.access.project)).data, status=status.HTTP_201_CREATED)


class RuleDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "PUT": WRITE, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(parameters=[RULE_ID], responses=RuleSerializer, summary="One alert rule", tags=["alerts"],
                   operation_id="alert_rules_retrieve")  # fmt: skip
    def get(self, request: Request, rule_id: int) -> Response:
        return Response(RuleSerializer(_rule(self, rule_id)).data)

    def _change(self, request: Request, rule_id: int, partial: bool) -> Response:
        form = RuleSerializer(_rule(self, rule_id), data=request.data, partial=partial, project=self.access.project)
        form.is_valid(raise_exception=True)
        return Response(RuleSerializer(form.save_for(self.access.project)).data)

    @extend_schema(parameters=[RULE_ID], request=RuleSerializer, responses=RuleSerializer, tags=["alerts"],
                   summary="Replace an alert rule", operation_id="alert_rules_update",
                   examples=[OpenApiExample("threshold", value=EXAMPLE, request_only=True)])  # fmt: skip
    def put(self, request: Request, rule_id: int) -> Response:
        return self._change(request, rule_id, partial=False)

    @extend_schema(parameters=[RULE_ID], request=RuleSerializer, responses=RuleSerializer, tags=["alerts"],
                   summary="Change an alert rule (only the fields given)", operation_id="alert_rules_partial_update",
                   examples=[OpenApiExample("pause", value={"enabled": False}, request_only=True)])  # fmt: skip
    def patch(self, request: Request, rule_id: int) -> Response:
        return self._change(request, rule_id, partial=True)

    @extend_schema(parameters=[RULE_ID], responses={204: None}, summary="Delete an alert rule", tags=["alerts"],
                   operation_id="alert_rules_destroy")  # fmt: skip
    def delete(self, request: Request, rule_id: int) -> Response:
        _rule(self, rule_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
