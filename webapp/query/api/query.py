"""`POST /api/v1/query`: read-only SQL over the caller's project, as JSON or CSV.

The SQL is validated and rewritten by webapp.query.validator (so other projects' rows cannot be
reached), capped at `limit` rows (≤ PYFLARE_QUERY_MAX_ROWS), and run within the limits of
webapp.query.limits (time, memory, result and response size) and webapp.query.slots (queries at
once per project and in all). A limit hit is a 422 naming the limit; too many queries a 429.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.providers import providers
from webapp.api.schema import ErrorSerializer
from webapp.projects.access import ProjectScoped
from webapp.query.engine import QueryEngineUnavailable, QueryFailed, QueryStream
from webapp.query.limits import QueryLimitExceeded, QueryLimits
from webapp.query.output import BodyTooLarge, csv_body, json_body
from webapp.query.slots import QueryBusy, QuerySlots
from webapp.query.validator import MAX_SQL_CHARS, QueryPolicy, QueryRejected, rewrite_for_project


class QueryRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "query_rejected"


class QueryError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "query_failed"


class LimitExceeded(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "query_limit_exceeded"


class TooManyQueries(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too_many_queries"
    wait = 1  # seconds; DRF's handler turns it into the Retry-After header


class EngineUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "engine_unavailable"


def query_policy() -> QueryPolicy:
    return QueryPolicy(
        tables=frozenset(settings.QUERY_TABLES),
        project_column=settings.QUERY_PROJECT_COLUMN,
        database=settings.QUERY_DATABASE,
        max_rows=settings.QUERY_MAX_ROWS,
    )


def query_limits(rows: int) -> QueryLimits:
    return QueryLimits(
        max_rows=rows,
        max_execution_seconds=settings.QUERY_MAX_EXECUTION_SECONDS,
        max_memory_bytes=settings.QUERY_MAX_MEMORY_BYTES,
        max_result_bytes=settings.QUERY_MAX_RESULT_BYTES,
        max_response_bytes=settings.QUERY_MAX_RESPONSE_BYTES,
        max_threads=settings.QUERY_MAX_THREADS,
    )


_slots: QuerySlots | None = None
_slots_lock = threading.Lock()


def query_slots() -> QuerySlots:
    """The process's query slots, sized by the settings in force (tests may change them)."""
    global _slots
    per_project, total = settings.QUERY_MAX_CONCURRENT_PER_PROJECT, settings.QUERY_MAX_CONCURRENT
    with _slots_lock:
        if _slots is None or (_slots.per_project, _slots.total) != (per_project, total):
            _slots = QuerySlots(per_project, total)
        return _slots


class QueryRequestSerializer(serializers.Serializer):
    sql = serializers.CharField(max_length=MAX_SQL_CHARS, trim_whitespace=False)
    limit = serializers.IntegerField(
        min_value=1, max_value=settings.QUERY_MAX_ROWS, required=False, help_text="row cap for this query"
    )
    format = serializers.ChoiceField(choices=["json", "csv"], default="json")


class QueryColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()


class QueryResultSerializer(serializers.Serializer):
    columns = QueryColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    total_rows = serializers.IntegerField()
    execution_time_ms = serializers.FloatField()
    limit = serializers.IntegerField(help_text="the row cap that was applied")
    sql = serializers.CharField(help_text="the SQL as executed, confined to the project")


class QueryView(ProjectScoped, APIView):
    required_permissions = {"POST": "query:execute"}

    @extend_schema(
        request=QueryRequestSerializer,
        responses={
            (200, "application/json"): QueryResultSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="header row, then one line per row"),
            400: ErrorSerializer,
            422: OpenApiResponse(ErrorSerializer, description="a time, memory or size limit was hit"),
            429: OpenApiResponse(ErrorSerializer, description="too many queries at once; see Retry-After"),
            503: ErrorSerializer,
        },
        summary="Run a read-only SQL query over the project's telemetry, cost and drift tables",
        tags=["query"],
        examples=[
            OpenApiExample(
                "count by model",
                value={"sql": "SELECT model_id, count() AS spans FROM spans GROUP BY model_id", "format": "json"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response | HttpResponse:
        form = QueryRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        policy = query_policy()
        limit = min(data.get("limit") or settings.QUERY_DEFAULT_ROWS, policy.max_rows)
        try:
            sql = rewrite_for_project(data["sql"], project=self.access.project.slug, policy=policy, limit=limit)
        except QueryRejected as exc:
            raise QueryRefused(str(exc)) from None
        limits = query_limits(limit)
        try:
            with query_slots().hold(self.access.project.slug), providers.query_engine().stream(sql, limits) as result:
                body = _body(result, data["format"], limits, limit, sql)
        except QueryBusy as exc:
            raise TooManyQueries(str(exc)) from None
        except QueryLimitExceeded as exc:
            raise LimitExceeded(str(exc)) from None
        except QueryFailed as exc:
            raise QueryError(f"ClickHouse refused the query: {exc}") from None
        except QueryEngineUnavailable as exc:
            raise EngineUnavailable(str(exc)) from None
        if data["format"] == "csv":
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="query.csv"'
            return response
        return HttpResponse(body, content_type="application/json")


def _body(result: QueryStream, fmt: str, limits: QueryLimits, limit: int, sql: str) -> bytes:
    """The response body, refused once it passes PYFLARE_QUERY_MAX_RESPONSE_BYTES."""
    try:
        if fmt == "csv":
            return csv_body(result.columns, result.blocks, cap=limits.max_response_bytes)
        return json_body(
            result.columns, result.blocks, cap=limits.max_response_bytes,
            trailer=lambda n: {"total_rows": n, "execution_time_ms": result.elapsed_ms(), "limit": limit, "sql": sql},
        )
    except BodyTooLarge:
        raise limits.response_too_large() from None
