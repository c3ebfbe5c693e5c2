"""`GET /metrics` (names with type, unit, last value, series count) and `GET /metrics/timeseries`
(one metric per interval, optionally grouped), for the caller's project."""

from __future__ import annotations

import time

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.cursor import encode_cursor, page_position
from webapp.api.pages import next_url
from webapp.api.params import check_range, ns_to_iso, validate_query
from webapp.metrics import services
from webapp.metrics.api.serializers import MetricListQuery, MetricListSerializer, TimeSeriesQuery, TimeSeriesSerializer
from webapp.metrics.intervals import MAX_POINTS, auto_interval, format_interval
from webapp.projects.access import ProjectScoped

HOUR_NS = 3_600_000_000_000

SERIES_DESCRIPTION = services.__doc__.split("\n\n", 1)[1] + (
    "\nFilters: `service`, `model_id`, `attr.<key>=<value>` (data point attributes, repeatable). "
    f"At most {MAX_POINTS} intervals per series and {services.MAX_SERIES} series per response."
)


class MetricListView(ProjectScoped, APIView):
    required_permissions = {"GET": "metrics:read"}

    @extend_schema(
        parameters=[MetricListQuery],
        responses=MetricListSerializer,
        summary="List metrics",
        operation_id="metrics_list",
        description="Metric names in name order with their latest type, unit and value, series and point counts.",
        tags=["metrics"],
    )
    def get(self, request: Request) -> Response:
        values, _ = validate_query(request, MetricListQuery)
        check_range(values, "start_time", "end_time")
        listing, position = page_position(values, (str,))
        after = position[0] if position else None
        limit = values["limit"]
        rows = services.list_metrics(
            self.access.project.slug,
            values.get("start_time"),
            values.get("end_time"),
            values.get("service"),
            values.get("q"),
            limit + 1,
            after,
        )
        cursor = encode_cursor([rows[limit - 1].name], listing) if len(rows) > limit else None
        return Response(
            {
                "metrics": [
                    {
                        "name": m.name,
                        "type": m.type,
                        "unit": m.unit,
                        "description": m.description,
                        "temporality": m.temporality,
                        "last_value": m.last_value,
                        "last_time": ns_to_iso(m.last_time_ns),
                        "series_count": m.series_count,
                        "point_count": m.point_count,
                    }
                    for m in rows[:limit]
                ],
                "next_cursor": cursor,
                "next": next_url(request, cursor),
            }
        )


class TimeSeriesView(ProjectScoped, APIView):
    required_permissions = {"GET": "metrics:read"}

    @extend_schema(
        parameters=[
            TimeSeriesQuery,
            OpenApiParameter(
                "name",
                str,
                required=True,
                description="the metric name; a metric without points gives an empty `series`",
                examples=[OpenApiExample("LLM call duration", value="gen_ai.client.operation.duration")],
            ),
        ],
        responses=TimeSeriesSerializer,
        summary="Time series of one metric",
        operation_id="metrics_timeseries_retrieve",
        description=SERIES_DESCRIPTION,
        tags=["metrics"],
    )
    def get(self, request: Request) -> Response:
        values, attrs = validate_query(request, TimeSeriesQuery, attr_filters=True)
        until = values.get("end_time")
        if until is None:
            until = time.time_ns()
        since = values.get("start_time")
        if since is None:
            since = max(0, until - HOUR_NS)
        if since >= until:
            raise ValidationError({"start_time": ["start_time must be before end_time"]})
        range_s = (until - since) / 1e9
        step_s = values.get("interval") or auto_interval(range_s)
        if range_s / step_s > MAX_POINTS:
            raise ValidationError(
                {
                    "interval": [
                        f"{format_interval(step_s)} over {format_interval(max(1, int(range_s)))} makes more than "
                        f"{MAX_POINTS} intervals; choose a larger interval or a shorter range"
                    ]
                }
            )
        project = self.access.project.slug
        info = services.metric_info(project, values["name"]) or services.MetricInfo.absent(values["name"])
        query = services.SeriesQuery(
            name=values["name"],
            since_ns=since,
            until_ns=until,
            step_ns=step_s * 1_000_000_000,
            aggregation=values["aggregation"],
            group_by=values.get("group_by"),
            service=values.get("service"),
            model_id=values.get("model_id"),
            attributes=tuple(attrs),
        )
        try:
            result = services.time_series(project, query, info)
        except services.UnsupportedAggregation as exc:
            raise ValidationError({"aggregation": [str(exc)]}) from None
        return Response(
            {
                "name": info.name,
                "type": info.type,
                "unit": info.unit,
                "aggregation": query.aggregation,
                "interval": format_interval(step_s),
                "interval_seconds": step_s,
                "start_time": ns_to_iso(since),
                "end_time": ns_to_iso(until),
                "percentile_source": result.percentile_source,
                "series": [
                    {
                        "group": s.group,
                        "points": [{"time": ns_to_iso(b), "time_unix_nano": b, "value": v} for b, v in s.points],
                    }
                    for s in result.series
                ],
                "series_truncated": result.truncated,
            }
        )
