"""`GET /logs`: the project's log records, newest first, cursor-paginated."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.cursor import decode_cursor, encode_cursor, fingerprint
from webapp.api.pages import next_url
from webapp.api.params import check_range, ns_to_iso, validate_query
from webapp.api.telemetry import telemetry_reader
from webapp.logs.api.serializers import LogListQuery, LogListSerializer
from webapp.projects.access import ProjectScoped
from workers.storage.logs import reads


class LogListView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}  # the catalogue files logs under traces:read

    @extend_schema(
        parameters=[LogListQuery],
        responses=LogListSerializer,
        summary="List log records",
        operation_id="logs_list",
        description=(
            "Newest first. Filters: minimum `severity`, `service`, `trace_id`, `span_id`, body text `q`, "
            "time range, `attr.<key>=<value>` (repeatable). Pass `next_cursor` as `cursor` with the same "
            "filters for the next page; `limit` above 1000 is refused."
        ),
        tags=["logs"],
    )
    def get(self, request: Request) -> Response:
        values, attrs = validate_query(request, LogListQuery, attr_filters=True)
        check_range(values, "start_time", "end_time")
        filters = reads.LogFilters(
            since_ns=values.get("start_time"),
            until_ns=values.get("end_time"),
            min_severity=values.get("severity"),
            service=values.get("service"),
            trace_id=values.get("trace_id"),
            span_id=values.get("span_id"),
            text=values.get("q"),
            attributes=tuple(attrs),
        )
        listing = fingerprint(filters.__dict__)
        after = decode_cursor(values["cursor"], listing, (int, int)) if values.get("cursor") else None
        limit = values["limit"]
        rows = reads.list_logs(telemetry_reader(), self.access.project.slug, filters, limit + 1, after)
        cursor = (
            encode_cursor([rows[limit - 1]["time"], rows[limit - 1]["hash"]], listing) if len(rows) > limit else None
        )
        return Response(
            {
                "logs": [
                    {
                        "time": ns_to_iso(r["time"]),
                        "time_unix_nano": r["time"],
                        "observed_time": ns_to_iso(r["observed_time"]),
                        "severity_number": r["severity_number"],
                        "severity_text": r["severity_text"],
                        "service_name": r["service_name"],
                        "trace_id": r["trace_id"],
                        "span_id": r["span_id"],
                        "body": r["body"],
                        "event_name": r["event_name"],
                        "model_id": r["model_id"],
                        "attributes": dict(r["attributes"]),
                        "resource": dict(r["resource"]),
                        "scope_name": r["scope_name"],
                    }
                    for r in rows[:limit]
                ],
                "next_cursor": cursor,
                "next": next_url(request, cursor),
            }
        )
