"""The endpoints a large trace's waterfall reads: `GET /traces/{id}/outline` (every span, compact),
`GET /traces/{id}/span-details?span_id=…` (full rows of the spans on screen) and
`GET /traces/{id}/search?q=…` (matching span ids, searched server-side over all spans).

Like the detail, every read filters on the request's project: another project's trace is a 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.params import HEX16, MAX_TEXT, limit_field, validate_query
from webapp.api.telemetry import telemetry_reader
from webapp.projects.access import ProjectScoped
from webapp.settings.env import env_int
from webapp.traces import shapes
from webapp.traces.api.serializers import SpanSerializer, TraceSummarySerializer
from webapp.traces.api.traces import TRACE_ID, checked_trace_id
from webapp.traces.outline import outline_body
from workers.storage.traces import reads
from workers.storage.traces.content import with_logged_content
from workers.storage.traces.outline import read_outline, search_trace

OUTLINE_MAX_SPANS = env_int("PYFLARE_TRACE_OUTLINE_MAX_SPANS", 200_000, minimum=1)
MAX_DETAIL_IDS = 500
MAX_SEARCH_HITS = 10_000


class OutlineQuery(serializers.Serializer):
    limit = limit_field(OUTLINE_MAX_SPANS, OUTLINE_MAX_SPANS)


class OutlineColumnsSerializer(serializers.Serializer):
    span_id = serializers.ListField(child=serializers.CharField())
    parent = serializers.ListField(child=serializers.IntegerField(), help_text="row of the parent; -1: a root")
    name = serializers.ListField(child=serializers.IntegerField(), help_text="index into `names`")
    service = serializers.ListField(child=serializers.IntegerField(), help_text="index into `services`")
    model = serializers.ListField(child=serializers.IntegerField(), help_text="index into `models` (0: none)")
    start = serializers.ListField(child=serializers.IntegerField(), help_text="ns after `base_unix_nano`")
    duration = serializers.ListField(child=serializers.IntegerField(), help_text="ns")
    error = serializers.ListField(child=serializers.IntegerField(), help_text="1 when the span failed")
    input_tokens = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    output_tokens = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    total_tokens = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    cost_usd = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                     help_text="the span's cost in dollars (null: unpriced); a 10-token call is not 0")
    duplicate = serializers.ListField(child=serializers.IntegerField(), help_text=(
        "1 when the span repeats a provider call already traced (same response id): its cost is counted once,"
        " on the first span"))  # fmt: skip


class OutlineSerializer(serializers.Serializer):
    trace = TraceSummarySerializer(help_text="summary over all spans, also those beyond the limit")
    span_count = serializers.IntegerField(help_text="distinct spans of the trace")
    returned = serializers.IntegerField(help_text="spans in this outline (the earliest first)")
    truncated = serializers.BooleanField(help_text="true when span_count > returned")
    limit = serializers.IntegerField()
    base_unix_nano = serializers.IntegerField(help_text="start of the earliest span")
    names = serializers.ListField(child=serializers.CharField())
    services = serializers.ListField(child=serializers.CharField())
    models = serializers.ListField(child=serializers.CharField())
    spans = OutlineColumnsSerializer(help_text="one list per column, a row per span ordered by (start, span id)")


class SpanDetailsQuery(serializers.Serializer):
    span_id = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=MAX_DETAIL_IDS,
        help_text=f"a span id (16 hexadecimal digits); repeat for up to {MAX_DETAIL_IDS}",
    )  # fmt: skip

    def validate_span_id(self, value: list[str]) -> list[str]:
        bad = [v for v in value if not HEX16.match(v)]
        if bad:
            raise serializers.ValidationError(f"a span id is 16 hexadecimal digits, not {bad[0][:40]!r}")
        return [v.lower() for v in value]


class SpanDetailsSerializer(serializers.Serializer):
    spans = SpanSerializer(many=True, help_text="the asked spans that exist, in start order")


SPAN_ID_PARAM = OpenApiParameter(
    "span_id", str, many=True, required=True, explode=True,
    description=f"a span id (16 hexadecimal digits); repeat for up to {MAX_DETAIL_IDS}",
    examples=[OpenApiExample("one span", value="b7ad6b7169203331")],
)  # fmt: skip
SEARCH_PARAM = OpenApiParameter(
    "q", str, required=True, description="text to find (case-insensitive)",
    examples=[OpenApiExample("a name", value="root")],
)  # fmt: skip


class TraceSearchQuery(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_TEXT, trim_whitespace=False)
    limit = limit_field(1000, MAX_SEARCH_HITS)


class TraceSearchSerializer(serializers.Serializer):
    span_ids = serializers.ListField(child=serializers.CharField(), help_text="matches in start order")
    match_count = serializers.IntegerField(help_text="every matching span, also beyond `limit`")


def _span_details_query(request: Request) -> list[str]:
    # the list field reads repeated parameters only from a QueryDict
    form = SpanDetailsQuery(data=request.query_params)
    if not form.is_valid():
        raise ValidationError(form.errors)
    validate_query(request, SpanDetailsQuery)  # refuses unknown parameters
    return list(dict.fromkeys(form.validated_data["span_id"]))


class TraceOutlineView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TRACE_ID, OutlineQuery],
        responses=OutlineSerializer,
        summary="Get the compact outline of every span of a trace",
        operation_id="traces_outline",
        description=(
            "Per span: id, parent, name, service, model, start, duration, error, tokens and cost, as one list "
            f"per column (the earliest {OUTLINE_MAX_SPANS} spans at most, PYFLARE_TRACE_OUTLINE_MAX_SPANS; "
            "`truncated` says when there are more). Full spans: /traces/{trace_id}/span-details."
        ),
        tags=["traces"],
    )
    def get(self, request: Request, trace_id: str) -> Response:
        trace_id = checked_trace_id(trace_id)
        values, _ = validate_query(request, OutlineQuery)
        project = self.access.project.slug
        outline = read_outline(telemetry_reader(), project, trace_id, values["limit"])
        if not outline.columns["span_id"]:
            raise NotFound(f"trace {trace_id} not found")
        return Response(outline_body(project, trace_id, outline, values["limit"]))


class TraceSpanDetailsView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TRACE_ID, SPAN_ID_PARAM],
        responses=SpanDetailsSerializer,
        summary="Get full spans of a trace by id",
        operation_id="traces_span_details",
        description="The spans of this trace with these ids (ids it does not have are left out).",
        tags=["traces"],
    )
    def get(self, request: Request, trace_id: str) -> Response:
        trace_id = checked_trace_id(trace_id)
        ids = _span_details_query(request)
        project = self.access.project.slug
        raw = reads.trace_spans(telemetry_reader(), project, trace_id, len(ids), span_ids=ids)
        raw = with_logged_content(telemetry_reader(), project, trace_id, raw)
        return Response({"spans": [shapes.span(s) for s in raw]})


class TraceSearchView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TRACE_ID, TraceSearchQuery, SEARCH_PARAM],
        responses=TraceSearchSerializer,
        summary="Search the spans of one trace",
        operation_id="traces_search",
        description=(
            "Spans whose id, name, service, model, status message, input or output preview, or any attribute "
            "key or value contains `q` (case-insensitive)."
        ),
        tags=["traces"],
    )
    def get(self, request: Request, trace_id: str) -> Response:
        trace_id = checked_trace_id(trace_id)
        values, _ = validate_query(request, TraceSearchQuery)
        if not values["q"].strip():
            raise ValidationError({"q": ["give some text to search for"]})
        ids, count = search_trace(telemetry_reader(), self.access.project.slug, trace_id, values["q"], values["limit"])
        return Response({"span_ids": ids, "match_count": count})
