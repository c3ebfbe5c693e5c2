"""Silences (`/alerts/silences`, expirable), maintenance windows (`/alerts/maintenance`) and inhibition
rules (`/alerts/inhibitions`) over REST."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.alerting.api.common import WRITE, ProjectModelSerializer, actor
from webapp.alerting.api.crud import ScopedDetail, ScopedList
from webapp.alerting.models import InhibitionRule, MaintenanceWindow, Silence
from webapp.projects.access import ProjectScoped

MATCHERS_HELP = 'matchers such as model_id="gpt-4o", service!="batch", env=~"prod|staging" (regexes anchored)'


class SilenceSerializer(ProjectModelSerializer):
    matchers = serializers.ListField(child=serializers.CharField(), min_length=1, help_text=MATCHERS_HELP)
    state = serializers.SerializerMethodField(help_text="pending, active or expired")

    class Meta:
        model = Silence
        fields = ["id", "matchers", "starts_at", "ends_at", "created_by", "comment", "state", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_by", "created_at", "updated_at"]

    def get_state(self, obj: Silence) -> str:
        return obj.state()


class MaintenanceWindowSerializer(ProjectModelSerializer):
    model_ids = serializers.ListField(child=serializers.CharField(), required=False,
                                      help_text="models it mutes; none: every alert of the project")  # fmt: skip
    weekdays = serializers.ListField(child=serializers.IntegerField(), required=False,
                                     help_text="recurring: 0 = Monday … 6 = Sunday")  # fmt: skip
    times = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2), required=False,
        help_text='recurring: local [start, end) ranges, e.g. [["22:00", "24:00"]]',
    )  # fmt: skip
    active = serializers.SerializerMethodField(help_text="in force now")

    class Meta:
        model = MaintenanceWindow
        fields = ["id", "name", "model_ids", "starts_at", "ends_at", "weekdays", "times", "timezone", "enabled",
                  "active", "created_by", "created_at"]  # fmt: skip
        read_only_fields = ["id", "created_by", "created_at"]

    def get_active(self, obj: MaintenanceWindow) -> bool:
        import time

        return obj.enabled and obj.spec().active(time.time())


class InhibitionRuleSerializer(ProjectModelSerializer):
    source_matchers = serializers.ListField(child=serializers.CharField(), min_length=1, help_text=MATCHERS_HELP)
    target_matchers = serializers.ListField(child=serializers.CharField(), min_length=1, help_text=MATCHERS_HELP)
    equal = serializers.ListField(child=serializers.CharField(), required=False,
                                  help_text="labels whose values source and target must share")  # fmt: skip

    class Meta:
        model = InhibitionRule
        fields = ["id", "name", "source_matchers", "target_matchers", "equal", "enabled", "created_at"]
        read_only_fields = ["id", "created_at"]


def _docs(name: str, serializer: type[ProjectModelSerializer], create: dict[str, Any], change: dict[str, Any]
          ) -> tuple[Any, Any]:  # fmt: skip
    """Operation ids and request examples (the docs show them; the RBAC matrix sends them) for the list
    and the detail view of one kind of object."""

    def op(action: str, **kwargs: Any) -> Any:
        return extend_schema(tags=["alerts"], operation_id=f"alert_{name}_{action}", **kwargs)

    listing = extend_schema_view(
        get=op("list", responses=serializer(many=True)),
        post=op("create", examples=[OpenApiExample("create", value=create, request_only=True)]),
    )
    detail = extend_schema_view(
        get=op("retrieve"), delete=op("destroy"),
        patch=op("partial_update", examples=[OpenApiExample("change", value=change, request_only=True)]),
    )  # fmt: skip
    return listing, detail


SILENCE_DOCS = _docs("silences", SilenceSerializer,
                     {"matchers": ['model_id="gpt-4o"', 'severity=~"warning|info"'],
                      "ends_at": "2030-01-01T00:00:00Z", "comment": "provider incident"},
                     {"comment": "extended until the provider recovers"})  # fmt: skip
WINDOW_DOCS = _docs("maintenance", MaintenanceWindowSerializer,
                    {"name": "nightly retrain", "model_ids": ["churn-v3"], "weekdays": [0, 1, 2, 3, 4],
                     "times": [["22:00", "24:00"]], "timezone": "Europe/Paris"}, {"enabled": False})  # fmt: skip
INHIBITION_DOCS = _docs("inhibitions", InhibitionRuleSerializer,
                        {"name": "outage hides warnings", "source_matchers": ['severity="critical"'],
                         "target_matchers": ['severity="warning"'], "equal": ["model_id"]},
                        {"enabled": False})  # fmt: skip


@SILENCE_DOCS[0]
class SilenceListView(ScopedList):
    serializer_class = SilenceSerializer

    def extra_fields(self, request: Request) -> dict[str, Any]:
        return {"created_by": actor(request)}


@SILENCE_DOCS[1]
class SilenceDetailView(ScopedDetail):
    serializer_class = SilenceSerializer


class SilenceExpireView(ProjectScoped, APIView):
    required_permissions = {"POST": WRITE}

    @extend_schema(parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)], request=None,
                   responses=SilenceSerializer, summary="End a silence now", tags=["alerts"],
                   operation_id="alert_silences_expire")  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        silence = get_object_or_404(Silence, pk=pk, project=self.access.project)
        silence.expire()
        return Response(SilenceSerializer(silence).data)


@WINDOW_DOCS[0]
class WindowListView(ScopedList):
    serializer_class = MaintenanceWindowSerializer

    def extra_fields(self, request: Request) -> dict[str, Any]:
        return {"created_by": actor(request)}


@WINDOW_DOCS[1]
class WindowDetailView(ScopedDetail):
    serializer_class = MaintenanceWindowSerializer


@INHIBITION_DOCS[0]
class InhibitionListView(ScopedList):
    serializer_class = InhibitionRuleSerializer


@INHIBITION_DOCS[1]
class InhibitionDetailView(ScopedDetail):
    serializer_class = InhibitionRuleSerializer
