"""The drift endpoints: monitors, status (DriftStatus), history, per-feature results, reference upload, run now.

Everything is per project (the key's project or the named one) and model id; another project's
monitor or results are a 404 like ones that do not exist. Reading needs `drift:read`, changing
monitors and references and running a window needs `drift:configure`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.errors import Conflict
from webapp.api.params import check_range, validate_query
from webapp.api.schema import ErrorSerializer
from webapp.api.telemetry import telemetry_client
from webapp.apikeys.authentication import KeyPrincipal
from webapp.drift import services
from webapp.drift.api.serializers import (
    DriftHistorySerializer,
    DriftStatusSerializer,
    FeatureScoresSerializer,
    HistoryQuerySerializer,
    MonitorSerializer,
    ReferenceSerializer,
    ReferenceUploadSerializer,
    RunOutcomeSerializer,
    RunQueuedSerializer,
    RunRequestSerializer,
)
from webapp.drift.dispatch import run_now
from webapp.drift.errors import DriftConflict, InvalidDriftInput, MonitorNotFound, VectorsUnavailable
from webapp.drift.models import DriftMonitor
from webapp.projects.access import ProjectScoped
from workers.tasks.drift import run_monitor_now

MODEL_ID = OpenApiParameter(
    "model_id", str, OpenApiParameter.PATH, description="the monitored model's pyflare.model.id",
    examples=[OpenApiExample("a model", value="churn-classifier")],
)  # fmt: skip
TAGS = ["drift"]


class VectorsUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "vectors_unavailable"
    default_detail = "the vector store (Qdrant) cannot be reached"


def http_error(exc: Exception) -> Exception:
    """The HTTP answer to a drift domain error (other exceptions pass unchanged)."""
    if isinstance(exc, MonitorNotFound):
        return NotFound(exc.message)
    if isinstance(exc, InvalidDriftInput):
        return ValidationError({exc.field: [exc.message]})
    if isinstance(exc, DriftConflict):
        return Conflict(exc.message)
    if isinstance(exc, VectorsUnavailable):
        return VectorsUnavailableError(exc.message)
    return exc


# A drift endpoint: project-scoped, with the services' domain errors answered as HTTP. (No docstring:
# the schema takes the first docstring of the view's classes as every operation's description.)
class DriftView(ProjectScoped, APIView):
    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(http_error(exc))


def _caller(request: Request) -> str:
    principal = request.user
    if isinstance(principal, KeyPrincipal):
        return f"api_key:{principal.api_key.prefix}"
    return f"user:{principal.email}"


class MonitorListView(DriftView):
    required_permissions = {"GET": "drift:read"}

    @extend_schema(responses=MonitorSerializer(many=True), summary="The project's drift monitors", tags=TAGS,
                   operation_id="drift_monitors_list")  # fmt: skip
    def get(self, request: Request) -> Response:
        monitors = DriftMonitor.objects.filter(project=self.access.project).select_related("reference")
        return Response(MonitorSerializer(monitors, many=True).data)


class MonitorView(DriftView):
    required_permissions = {"GET": "drift:read", "PUT": "drift:configure", "DELETE": "drift:configure"}

    @extend_schema(parameters=[MODEL_ID], responses=MonitorSerializer, summary="A model's drift monitor", tags=TAGS,
                   operation_id="drift_monitor_read")  # fmt: skip
    def get(self, request: Request, model_id: str) -> Response:
        return Response(MonitorSerializer(services.monitor_for(self.access.project, model_id)).data)

    @extend_schema(
        parameters=[MODEL_ID],
        request=MonitorSerializer,
        responses={200: MonitorSerializer, 201: MonitorSerializer},
        summary="Create or change a model's drift monitor",
        description=(
            "Fields left out keep their value (or default on creation). Methods per feature, per feature type "
            "or monitor-wide; empty means automatic (by feature type and sample size). `window` sets how much "
            "traffic each scheduled run scores."
        ),
        operation_id="drift_monitor_write",
        tags=TAGS,
        examples=[
            OpenApiExample(
                "hourly monitor",
                value={"window": "1h", "features": [], "thresholds": {"income": 0.15}, "enabled": True},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, model_id: str) -> Response:
        form = MonitorSerializer(data=request.data, partial=True, context={"project": self.access.project})
        form.is_valid(raise_exception=True)
        monitor, created = services.save_monitor(self.access.project, model_id, form.validated_data)
        return Response(MonitorSerializer(monitor).data, status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(parameters=[MODEL_ID], responses={204: None}, summary="Delete a model's drift monitor",
                   description="Its references and alerts go with it; stored results stay.", tags=TAGS,
                   operation_id="drift_monitor_delete")  # fmt: skip
    def delete(self, request: Request, model_id: str) -> Response:
        services.monitor_for(self.access.project, model_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class StatusView(DriftView):
    required_permissions = {"GET": "drift:read"}

    @extend_schema(
        parameters=[MODEL_ID], responses=DriftStatusSerializer, summary="Get current drift status for a model",
        description=(
            "From the latest scored window: overall status (healthy / warning / drifted), combined severity "
            "(0-1) and per drift type a DriftScore (score 0-1 with 0.5 at the threshold, except feature drift: "
            "the share of drifted features against the monitor's drift_share), with its trend over recent windows."
        ),
        operation_id="drift_status", tags=TAGS,
    )  # fmt: skip
    def get(self, request: Request, model_id: str) -> Response:
        return Response(services.drift_status(telemetry_client(), self.access.project, model_id))


class HistoryView(DriftView):
    required_permissions = {"GET": "drift:read"}

    @extend_schema(
        parameters=[MODEL_ID, HistoryQuerySerializer], responses=DriftHistorySerializer,
        summary="Get drift history for a model",
        description="Per window and drift type, newest first; name a `feature` for that feature's own history.",
        operation_id="drift_history", tags=TAGS,
    )  # fmt: skip
    def get(self, request: Request, model_id: str) -> Response:
        values, _ = validate_query(request, HistoryQuerySerializer)
        check_range(values, "start_time", "end_time")
        points = services.history_points(telemetry_client(), self.access.project, model_id, values)
        return Response({"model_id": model_id, "points": points})


class FeaturesView(DriftView):
    required_permissions = {"GET": "drift:read"}

    @extend_schema(
        parameters=[MODEL_ID], responses=FeatureScoresSerializer, summary="Per-feature drift of the latest window",
        description="Scores, p-values and reference vs current shares per bin (ready for bar charts).",
        operation_id="drift_features", tags=TAGS,
    )  # fmt: skip
    def get(self, request: Request, model_id: str) -> Response:
        return Response(services.feature_scores(telemetry_client(), self.access.project, model_id))


class ReferenceView(DriftView):
    required_permissions = {"GET": "drift:read", "POST": "drift:configure"}

    @extend_schema(parameters=[MODEL_ID], responses=ReferenceSerializer, summary="The monitor's active reference",
                   operation_id="drift_reference_read", tags=TAGS)  # fmt: skip
    def get(self, request: Request, model_id: str) -> Response:
        monitor = services.monitor_for(self.access.project, model_id)
        if monitor.reference is None:
            raise NotFound(f"the drift monitor of {model_id!r} has no reference yet")
        return Response(services.describe_reference(monitor.reference))

    @extend_schema(
        parameters=[MODEL_ID],
        request=ReferenceUploadSerializer,
        responses={201: ReferenceSerializer, 409: ErrorSerializer, 503: ErrorSerializer},
        summary="Upload reference distribution for drift detection",
        description=(
            "Per feature one form: raw `values`, a `histogram` (edges and counts), `quantiles` (probs 0..1, "
            "values, count) or category `counts`; likewise `predictions` (type class | score | value); "
            "`labels` (true and predicted) for concept drift; `embeddings` (vectors, stored in Qdrant as a "
            "dataset version; append=true adds a chunk). Or `window` {start, end}: take all of it from that past "
            "window of the model's traffic. Creates the monitor with defaults if the model has none. "
            "`mode=merge` keeps the parts of the current reference that this upload does not replace."
        ),
        operation_id="drift_reference_upload",
        tags=TAGS,
        examples=[
            OpenApiExample(
                "summaries",
                value={
                    "features": {
                        "age": {"values": [23, 35, 41, 52, 29, 33, 47, 38, 61, 27, 44, 36]},
                        "income": {"histogram": {"edges": [0, 20000, 50000, 100000], "counts": [30, 50, 20]}},
                        "plan": {"counts": {"basic": 60, "pro": 30, "enterprise": 10}},
                    },
                    "predictions": {"type": "class", "counts": {"0": 70, "1": 30}},
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, model_id: str) -> Response:
        form = ReferenceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        monitor = services.ensure_monitor(self.access.project, model_id)
        stored = services.set_reference(monitor, form.validated_data, _caller(request), client=telemetry_client)
        return Response(services.describe_reference(stored), status=status.HTTP_201_CREATED)


class RunView(DriftView):
    required_permissions = {"POST": "drift:configure"}

    @extend_schema(
        parameters=[MODEL_ID],
        request=RunRequestSerializer,
        responses={200: RunOutcomeSerializer, 202: RunQueuedSerializer, 409: ErrorSerializer},
        summary="Score a window now",
        description=(
            "Scores [end - window, end) (default end: now) or the given window, records the results and alerts "
            "like a scheduled run, without moving the schedule. Runs in the request when tasks run eagerly "
            "(pyflare serve), else queues a task and answers 202 with its id."
        ),
        operation_id="drift_run",
        tags=TAGS,
        examples=[
            OpenApiExample("the last window", value={}, request_only=True),
            OpenApiExample(
                "a given window",
                value={"start": "2025-01-31T12:00:00Z", "end": "2025-01-31T13:00:00Z"},
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request, model_id: str) -> Response:
        form = RunRequestSerializer(data=request.data or {})
        form.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(form.validated_data)
        check_range(values, "start", "end")
        monitor = services.monitor_for(self.access.project, model_id)
        if monitor.reference is None:
            raise Conflict(f"the drift monitor of {model_id!r} has no reference yet; upload one first")
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            outcome = run_now(monitor, values.get("start"), values.get("end"))
            return Response(outcome.to_dict())
        task = run_monitor_now.apply_async(args=[monitor.pk, values.get("start"), values.get("end")], expires=3600)
        return Response({"task_id": task.id}, status=status.HTTP_202_ACCEPTED)
