"""`GET /traces`, `GET /traces/{trace_id}` and `GET /traces/{trace_id}/spans` for the caller's project.

A trace of another project is a 404 exactly like a trace that does not exist: every read filters on
the request's project.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.cursor import decode_cursor, encode_cursor, fingerprint
from webapp.api.pages import next_url
from webapp.api.params import HEX32, check_range, validate_query
from webapp.api.telemetry import telemetry_reader
from webapp.projects.access import ProjectScoped
from webapp.settings.env import env_int
from webapp.traces import shapes
from webapp.traces.api.serializers import (
    SpanListSerializer,
    SpanPageQuery,
    TraceDetailSerializer,
    TraceListQuery,
    TraceListSerializer,
)
from workers.storage.traces import reads
from workers.storage.traces.content import with_logged_content
from workers.storage.traces.summary import TraceSummary, summarise

DETAIL_MAX_SPANS = env_int("PYFLARE_TRACE_DETAIL_MAX_SPANS", 5000, minimum=1)

TRACE_ID = OpenApiParameter(
    "trace_id", str, OpenApiParameter.PATH, description="32 hexadecimal digits (case-insensitive)"
)

LIST_DESCRIPTION = """Traces of the project, newest first by default.

Span-level filters (`service`, `model_id`, `environment`, `user_id`, `session_id`, `q`, and
`attr.<key>=<value>`, repeatable) each require some span of the trace to match; `status=error` means
some span failed, `status=ok` that none did. Times are the trace's start (its earliest span);
durations run from the earliest span start to the latest span end. Sort by `time`, `duration` or
`cost` (`order=asc|desc`). Pages are cursor-based: pass `next_cursor` as `cursor` with the same
filters; a page may hold fewer than `limit` traces while more follow, so stop when `next_cursor` is
null. `limit` above 1000 is refused (400), not clamped."""


def _ms_to_ns(value: float | None) -> int | None:
    return None if value is None else round(value * 1_000_000)


def listing_of(
    values: dict[str, Any], attrs: list[tuple[str, str]]
) -> tuple[reads.TraceFilters, reads.TraceSort]:
    """The filters and sort of a validated TraceListQuery (shared by the list and its export)."""
    check_range(values, "start_time", "end_time")
    check_range(values, "min_duration_ms", "max_duration_ms")
    filters = reads.TraceFilters(
        since_ns=values.get("start_time"),
        until_ns=values.get("end_time"),
        min_duration_ns=_ms_to_ns(values.get("min_duration_ms")),
        max_duration_ns=_ms_to_ns(values.get("max_duration_ms")),
        status=values.get("status"),
        service=values.get("service"),
        model_id=values.get("model_id"),
        environment=values.get("environment"),
        user_id=values.get("user_id"),
        session_id=values.get("session_id"),
        attributes=tuple(attrs),
        text=values.get("q"),
    )
    return filters, reads.TraceSort(values["sort"], values["order"] == "desc")


def with_columns(project: str, rows: list[TraceSummary], columns: list[str]) -> list[dict[str, Any]]:
    """Trace summaries, each with the asked attribute columns when there are any."""
    out = [shapes.trace_summary(row) for row in rows]
    if columns:
        values = reads.attribute_values(telemetry_reader(), project, [t["trace_id"] for t in out], columns)
        for trace in out:
            trace["columns"] = values.get(trace["trace_id"], {})
    return out


def checked_trace_id(trace_id: str) -> str:
    if not HEX32.match(trace_id):
        raise ValidationError({"trace_id": ["a trace id is 32 hexadecimal digits"]})
    return trace_id.lower()


class TraceListView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TraceListQuery],
        responses=TraceListSerializer,
        summary="List traces",
        operation_id="traces_list",
        description=LIST_DESCRIPTION,
        tags=["traces"],
    )
    def get(self, request: Request) -> Response:
        values, attrs = validate_query(request, TraceListQuery, attr_filters=True)
        filters, sort = listing_of(values, attrs)
        listing = fingerprint({"filters": filters.__dict__, "sort": sort.__dict__})
        after = decode_cursor(values["cursor"], listing, (int, str)) if values.get("cursor") else None
        project = self.access.project.slug
        page = reads.list_traces(telemetry_reader(), project, filters, sort, values["limit"], after)
        cursor = encode_cursor(page.next_key, listing) if page.next_key else None
        return Response(
            {
                "traces": with_columns(project, page.traces, values.get("columns") or []),
                "next_cursor": cursor,
                "next": next_url(request, cursor),
            }
        )


class TraceDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TRACE_ID],
        responses=TraceDetailSerializer,
        summary="Get a trace with its span tree",
        operation_id="traces_retrieve",
        description=(
            "The trace's summary and its spans nested under their parents (children ordered by start "
            f"time; spans whose parent is missing are roots). At most {DETAIL_MAX_SPANS} spans "
            "(PYFLARE_TRACE_DETAIL_MAX_SPANS); `spans_truncated` says when there are more — page "
            "through /traces/{trace_id}/spans for all of them."
        ),
        tags=["traces"],
    )
    def get(self, request: Request, trace_id: str) -> Response:
        trace_id = checked_trace_id(trace_id)
        project = self.access.project.slug
        raw = reads.trace_spans(telemetry_reader(), project, trace_id, DETAIL_MAX_SPANS + 1)
        if not raw:
            raise NotFound(f"trace {trace_id} not found")
        truncated = len(raw) > DETAIL_MAX_SPANS
        raw = with_logged_content(telemetry_reader(), project, trace_id, raw[:DETAIL_MAX_SPANS])
        # a truncated trace is summarised over all its spans, not only the ones shown
        row = (reads.trace_summary_of(telemetry_reader(), project, trace_id) if truncated else None) or summarise(raw)
        spans = [shapes.span(s) for s in raw]
        body: dict[str, Any] = shapes.trace_summary(row)
        with_input = [s for s in spans if s["input_preview"]]
        with_output = [s for s in spans if s["output_preview"]]
        root = next((s for s in spans if s["parent_span_id"] == ""), spans[0])
        body["input_preview"] = with_input[0]["input_preview"] if with_input else ""
        body["output_preview"] = (
            max(with_output, key=lambda s: s["end_time_unix_nano"])["output_preview"] if with_output else ""
        )
        body["attributes"] = dict(root["attributes"])
        body["spans"] = shapes.span_tree(spans)
        body["spans_truncated"] = truncated
        return Response(body)


class TraceSpansView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TRACE_ID, SpanPageQuery],
        responses=SpanListSerializer,
        summary="Get all spans for a trace",
        operation_id="traces_spans_list",
        description="The trace's distinct spans, flat, ordered by (start time, span id), cursor-paginated.",
        tags=["traces"],
    )
    def get(self, request: Request, trace_id: str) -> Response:
        trace_id = checked_trace_id(trace_id)
        values, _ = validate_query(request, SpanPageQuery)
        listing = fingerprint({"trace": trace_id})
        after = decode_cursor(values["cursor"], listing, (int, str)) if values.get("cursor") else None
        limit = values["limit"]
        raw = reads.trace_spans(telemetry_reader(), self.access.project.slug, trace_id, limit + 1, after)
        if not raw and after is None:
            raise NotFound(f"trace {trace_id} not found")
        more = len(raw) > limit
        raw = with_logged_content(telemetry_reader(), self.access.project.slug, trace_id, raw[:limit])
        cursor = encode_cursor([int(raw[-1]["start_time"]), raw[-1]["span_id"]], listing) if more else None
        return Response(
            {"spans": [shapes.span(s) for s in raw], "next_cursor": cursor, "next": next_url(request, cursor)}
        )
