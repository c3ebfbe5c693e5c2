"""Budgets over REST: list/create, read/change/delete, current status, and alert history.

Reading needs `costs:read`; creating, changing and deleting `costs:configure`. A budget of another
project is a 404 exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.costs.api.storage import read
from webapp.costs.budget_runs import forecast_remaining, period_spend
from webapp.costs.models import Budget, BudgetAlert, NotificationChannel
from webapp.projects.access import ProjectScoped
from workers.analysis.cost import status as budget_status

READ, WRITE = "costs:read", "costs:configure"
BUDGET_ID = OpenApiParameter("budget_id", int, OpenApiParameter.PATH, description="the budget's id")
EXAMPLE = {"name": "monthly gpt-4o", "dimension": "model", "value": "gpt-4o", "period": "monthly",
           "limit_usd": "500.00", "thresholds": [50, 80, 100]}  # fmt: skip


class BudgetSerializer(serializers.ModelSerializer):
    limit_micros = serializers.IntegerField(read_only=True)
    channels = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=NotificationChannel.objects.none(),
        help_text="ids of the project's notification channels to alert",
    )  # fmt: skip
    thresholds = serializers.ListField(
        child=serializers.FloatField(min_value=0.001, max_value=1000), required=False, min_length=1, max_length=10,
        help_text="percentages of the limit; each alerts once per period (default [50, 80, 100])",
    )  # fmt: skip

    class Meta:
        model = Budget
        fields = ["id", "name", "dimension", "value", "period", "limit_usd", "limit_micros", "thresholds", "channels",
                  "enabled", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args: Any, project: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["channels"].child_relation.queryset = NotificationChannel.objects.filter(project=project)

    def to_representation(self, instance: Budget) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["thresholds"] = [int(t) if float(t).is_integer() else t for t in instance.thresholds]
        return data

    def save_for(self, project: Any) -> Budget:
        """Validate like the admin (model.full_clean) and store."""
        data = dict(self.validated_data)
        channels = data.pop("channels", None)
        if "thresholds" in data:
            data["thresholds"] = [int(t) if float(t).is_integer() else t for t in data["thresholds"]]
        budget = self.instance or Budget(project=project)
        for name, value in data.items():
            setattr(budget, name, value)
        budget.full_clean()
        with transaction.atomic():
            budget.save()
            if channels is not None:
                budget.channels.set(channels)
        return budget


def _budget(view: ProjectScoped, budget_id: int) -> Budget:
    return get_object_or_404(Budget.objects.select_related("project"), pk=budget_id, project=view.access.project)


class BudgetListView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=BudgetSerializer(many=True), summary="The project's budgets", tags=["budgets"],
                   operation_id="budgets_list")  # fmt: skip
    def get(self, request: Request) -> Response:
        budgets = Budget.objects.filter(project=self.access.project).prefetch_related("channels")
        return Response(BudgetSerializer(budgets, many=True).data)

    @extend_schema(request=BudgetSerializer, responses={201: BudgetSerializer}, summary="Create a budget",
                   tags=["budgets"], operation_id="budgets_create",
                   examples=[OpenApiExample("model budget", value=EXAMPLE, request_only=True)])  # fmt: skip
    def post(self, request: Request) -> Response:
        form = BudgetSerializer(data=request.data, project=self.access.project)
        form.is_valid(raise_exception=True)
        budget = form.save_for(self.access.project)
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


class BudgetDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(parameters=[BUDGET_ID], responses=BudgetSerializer, summary="One budget", tags=["budgets"],
                   operation_id="budgets_retrieve")  # fmt: skip
    def get(self, request: Request, budget_id: int) -> Response:
        return Response(BudgetSerializer(_budget(self, budget_id)).data)

    @extend_schema(parameters=[BUDGET_ID], request=BudgetSerializer, responses=BudgetSerializer, tags=["budgets"],
                   summary="Change a budget (only the fields given)", operation_id="budgets_partial_update",
                   examples=[OpenApiExample("raise the limit", value={"limit_usd": "750.00"}, request_only=True)])
    def patch(self, request: Request, budget_id: int) -> Response:
        budget = _budget(self, budget_id)
        form = BudgetSerializer(budget, data=request.data, partial=True, project=self.access.project)
        form.is_valid(raise_exception=True)
        return Response(BudgetSerializer(form.save_for(self.access.project)).data)

    @extend_schema(parameters=[BUDGET_ID], responses={204: None}, summary="Delete a budget and its alert history",
                   tags=["budgets"], operation_id="budgets_destroy")  # fmt: skip
    def delete(self, request: Request, budget_id: int) -> Response:
        _budget(self, budget_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectionSerializer(serializers.Serializer):
    spend_usd = serializers.FloatField(help_text="projected spend at the end of the period")
    overage_usd = serializers.FloatField()
    method = serializers.CharField(help_text="forecast or run_rate")


class BudgetStatusSerializer(serializers.Serializer):
    budget_id = serializers.IntegerField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    spend_usd = serializers.FloatField()
    spend_micros = serializers.IntegerField()
    limit_usd = serializers.FloatField()
    remaining_usd = serializers.FloatField(help_text="negative when over the limit")
    percent_used = serializers.FloatField()
    thresholds_reached = serializers.ListField(child=serializers.FloatField())
    projection = ProjectionSerializer()


class BudgetStatusView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}

    @extend_schema(parameters=[BUDGET_ID], responses=BudgetStatusSerializer, tags=["budgets"],
                   summary="Spend in the budget's current period, and where it is heading",
                   operation_id="budgets_status",
                   description="Spend so far in the current UTC period; the projection adds the forecast for the "
                               "rest of the period (refreshed hourly) or, without one, stretches the run rate.")
    def get(self, request: Request, budget_id: int) -> Response:
        budget = _budget(self, budget_id)
        now = datetime.now(UTC)
        spend = read(lambda client: period_spend(client, budget, now))
        s = budget_status(budget.spec(), spend, now, forecast_remaining(budget, now))
        return Response({
            "budget_id": budget.pk, "period_start": s.period_start, "period_end": s.period_end,
            "spend_usd": s.spend_micros / 1e6, "spend_micros": s.spend_micros, "limit_usd": s.limit_micros / 1e6,
            "remaining_usd": s.remaining_micros / 1e6, "percent_used": s.percent_used,
            "thresholds_reached": list(s.thresholds_reached),
            "projection": {"spend_usd": s.projection.spend_micros / 1e6,
                           "overage_usd": s.projection.overage_micros / 1e6, "method": s.projection.method},
        })  # fmt: skip


class DeliverySerializer(serializers.Serializer):
    channel = serializers.IntegerField(source="channel_id", allow_null=True)
    target = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    response_status = serializers.IntegerField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class BudgetAlertSerializer(serializers.ModelSerializer):
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = BudgetAlert
        fields = ["id", "period_start", "period_end", "threshold", "spend_micros", "limit_micros", "percent_used",
                  "projected_spend_micros", "projected_overage_micros", "projection_method", "notified", "created_at",
                  "deliveries"]  # fmt: skip
        read_only_fields = fields


class BudgetAlertsView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}

    @extend_schema(parameters=[BUDGET_ID], responses=BudgetAlertSerializer(many=True), tags=["budgets"],
                   summary="Alerts of a budget, newest first (one per threshold and period)",
                   operation_id="budgets_alerts_list")  # fmt: skip
    def get(self, request: Request, budget_id: int) -> Response:
        budget = _budget(self, budget_id)
        alerts = budget.alerts.prefetch_related("deliveries")[:500]
        return Response(BudgetAlertSerializer(alerts, many=True).data)
