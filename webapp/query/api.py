"""`POST /api/v1/query`: read-only SQL over the caller's project, as JSON or CSV.

The SQL is validated and rewritten by webapp.query.validator (so other projects' rows cannot be
reached), capped at `limit` rows (≤ PYFLARE_QUERY_MAX_ROWS) and PYFLARE_QUERY_MAX_EXECUTION_SECONDS.
"""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.schema import ErrorSerializer
from webapp.projects.access import ProjectScoped
from webapp.query.engine import QueryEngineUnavailable, QueryFailed, QueryLimits, current_engine, jsonable
from webapp.query.validator import MAX_SQL_CHARS, QueryPolicy, QueryRejected, rewrite_for_project


class QueryRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "query_rejected"


class QueryError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "query_failed"


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
        limits = QueryLimits(max_rows=limit, max_execution_seconds=settings.QUERY_MAX_EXECUTION_SECONDS)
        try:
            result = current_engine().execute(sql, limits)
        except QueryFailed as exc:
            raise QueryError(f"ClickHouse refused the query: {exc}") from None
        except QueryEngineUnavailable as exc:
            raise EngineUnavailable(str(exc)) from None
        rows = [[jsonable(v) for v in row] for row in result.rows]
        if data["format"] == "csv":
            return _csv_response([name for name, _ in result.columns], rows)
        return Response(
            {
                "columns": [{"name": n, "type": t} for n, t in result.columns],
                "rows": rows,
                "total_rows": len(rows),
                "execution_time_ms": result.elapsed_ms,
                "limit": limit,
                "sql": sql,
            }
        )


def _csv_response(names: list[str], rows: list[list[object]]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for row in rows:
        writer.writerow([json.dumps(v) if isinstance(v, dict | list) else ("" if v is None else v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="query.csv"'
    return response
