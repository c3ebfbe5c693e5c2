"""`GET /api/v1/health` (the process answers) and `GET /api/v1/ready` (its dependencies do).

Both are public so load balancers and orchestrators can probe them without a key; the checks'
details (addresses, data paths, errors) are shown only to a signed-in user or a valid API key.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.readiness import run_checks


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok"])


class CheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()
    duration_ms = serializers.FloatField()


class ReadinessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ready", "not_ready"])
    checks = serializers.DictField(child=CheckSerializer(), required=False,
                                   help_text="only for authenticated callers")


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=HealthSerializer, summary="Liveness: the API process answers", tags=["health"])
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadyView(APIView):
    permission_classes = [AllowAny]  # the default authenticators run: a key or session shows details

    @extend_schema(
        responses={200: ReadinessSerializer, 503: ReadinessSerializer},
        summary="Readiness: every registered dependency check passes",
        tags=["health"],
    )
    def get(self, request: Request) -> Response:
        results = run_checks()
        ready = all(r.ok for r in results)
        body: dict[str, object] = {"status": "ready" if ready else "not_ready"}
        if request.user and request.user.is_authenticated:
            body["checks"] = {r.name: {"ok": r.ok, "detail": r.detail, "duration_ms": r.duration_ms}
                              for r in results}
        return Response(body, status=200 if ready else 503)
