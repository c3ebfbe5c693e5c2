"""`GET /dashboard/summary`: the dashboard's figures over a time range in one call.

Requests, error rate and exact p50/p95 latency over every trace of the range (not a sample), a
series over time and the top services (workers.storage.dashboard); tokens, cost, a cost series and
the top models from the cost store, scoped like `/costs` (`costs:read` everyone's,
`costs:read:own` one's own); the drift status of each monitored model with `drift:read`. A section
the caller may not read is null and `hidden` names the permission it needs.
"""

from __future__ import annotations

import time
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.params import TimeField, check_range, ns_to_iso, validate_query
from webapp.api.telemetry import read_errors, read_limits, telemetry_client
from webapp.costs.api.params import own_user
from webapp.costs.api.shapes import key_value
from webapp.costs.api.storage import read
from webapp.drift.models import DriftMonitor
from webapp.projects.access import ProjectScoped
from workers.storage.costs import reads
from workers.storage.costs.rollup import read_state
from workers.storage.dashboard import request_stats

DAY_NS = 86_400_000_000_000
MAX_RANGE_NS = 400 * DAY_NS
TOP = 8
# bucket widths, the narrowest giving at most MAX_BUCKETS buckets is used
STEPS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86_400, 7 * 86_400)
MAX_BUCKETS = 120


class DashboardQuery(serializers.Serializer):
    start_time = TimeField(required=False, help_text="from (inclusive); default: 24 hours before end_time")
    end_time = TimeField(required=False, help_text="until (exclusive); default: now")


class DashboardRequestsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="traces with a span starting in the range")
    errors = serializers.IntegerField(help_text="of those, traces where a span failed")
    error_rate = serializers.FloatField(allow_null=True, help_text="errors / count; null without requests")
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)


class DashboardRequestBucketSerializer(serializers.Serializer):
    time = serializers.CharField(help_text="start of the bucket (RFC 3339)")
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()
    p95_ms = serializers.FloatField()


class DashboardServiceSerializer(serializers.Serializer):
    service = serializers.CharField(help_text="the root span's service")
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()
    p95_ms = serializers.FloatField()


class DashboardModelCostSerializer(serializers.Serializer):
    model_id = serializers.CharField()
    requests = serializers.IntegerField(help_text="spans with token usage")
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost_micros = serializers.IntegerField(help_text="`cost_usd` rounded half up to micro-dollars")
    cost_usd = serializers.FloatField(help_text="exact to the price table's precision")


class DashboardCostBucketSerializer(serializers.Serializer):
    time = serializers.CharField()
    cost_micros = serializers.IntegerField(help_text="`cost_usd` rounded half up to micro-dollars")
    cost_usd = serializers.FloatField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()


class DashboardCostsSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["all", "own"])
    requests = serializers.IntegerField(help_text="spans with token usage")
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost_micros = serializers.IntegerField(help_text="`cost_usd` rounded half up to micro-dollars")
    cost_usd = serializers.FloatField(help_text="exact to the price table's precision: a 10-token call is not $0")
    period = serializers.ChoiceField(choices=["hour", "day"], help_text="width of the series' buckets")
    series = DashboardCostBucketSerializer(many=True)
    models = DashboardModelCostSerializer(many=True, help_text=f"the {TOP} most expensive models")


class DashboardDriftStatusSerializer(serializers.Serializer):
    model_id = serializers.CharField()
    enabled = serializers.BooleanField()
    status = serializers.CharField(help_text="status of the last run ('' when never run)")
    last_run_at = serializers.DateTimeField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    bucket_seconds = serializers.IntegerField()
    requests = DashboardRequestsSerializer()
    series = DashboardRequestBucketSerializer(many=True, help_text="buckets holding requests, oldest first")
    services = DashboardServiceSerializer(many=True, help_text=f"the {TOP} services with the most requests")
    costs = DashboardCostsSerializer(allow_null=True)
    drift = DashboardDriftStatusSerializer(many=True, allow_null=True)
    hidden = serializers.DictField(child=serializers.CharField(), help_text="section -> the permission it needs")


def bucket_seconds(range_ns: int) -> int:
    for step in STEPS:
        if range_ns <= step * 1_000_000_000 * MAX_BUCKETS:
            return step
    return STEPS[-1]


def _costs(project: str, start: int, end: int, own: str | None) -> dict[str, Any]:
    filters = {} if own is None else {"user_id": own}
    scope = reads.CostScope(project, start, end, filters)
    period = "hour" if end - start <= 3 * DAY_NS else "day"

    def query(client: Any) -> tuple[Any, Any]:
        settled = read_state(client).settled_until_ns
        return (reads.grouped(client, scope, [period], limit=100_000, settled_until_ns=settled),
                reads.grouped(client, scope, ["model"], limit=TOP, settled_until_ns=settled))  # fmt: skip

    periods, models = read(query)
    total = sum((p.totals for p in periods), reads.CostTotals())  # the periods partition the range
    periods.sort(key=lambda p: p.key[period])
    return {
        "scope": "all" if own is None else "own",
        "requests": total.requests,
        "input_tokens": total.input_tokens,
        "output_tokens": total.output_tokens,
        "cost_micros": total.total_cost_micros,
        "cost_usd": float(total.total_cost_usd),
        "period": period,
        "series": [
            {"time": key_value(p.key[period]), "cost_micros": p.totals.total_cost_micros,
             "cost_usd": float(p.totals.total_cost_usd),
             "input_tokens": p.totals.input_tokens, "output_tokens": p.totals.output_tokens}
            for p in periods
        ],
        "models": [
            {"model_id": m.key["model"], "requests": m.totals.requests, "input_tokens": m.totals.input_tokens,
             "output_tokens": m.totals.output_tokens, "cost_micros": m.totals.total_cost_micros,
             "cost_usd": float(m.totals.total_cost_usd)}
            for m in models
        ],
    }


class DashboardSummaryView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(parameters=[DashboardQuery], responses=DashboardSerializer, summary="The dashboard of a time range",
                   operation_id="dashboard_summary", description=__doc__, tags=["dashboard"])  # fmt: skip
    def get(self, request: Request) -> Response:
        values, _ = validate_query(request, DashboardQuery)
        check_range(values, "start_time", "end_time")
        end = values.get("end_time") or time.time_ns()
        start = values.get("start_time") if values.get("start_time") is not None else end - DAY_NS
        if end - start > MAX_RANGE_NS:
            raise ValidationError({"start_time": [f"the range spans at most {MAX_RANGE_NS // DAY_NS} days"]})
        project = self.access.project.slug
        step = bucket_seconds(end - start)
        with read_errors():
            stats = request_stats(telemetry_client(), project, start, end, step, TOP, read_limits())
        total = stats.total
        hidden: dict[str, str] = {}
        costs = None
        if self.access.can("costs:read") or self.access.can("costs:read:own"):
            costs = _costs(project, start, end, own_user(request, self.access))
        else:
            hidden["costs"] = "costs:read:own"
        drift = None
        if self.access.can("drift:read"):
            drift = [
                {"model_id": m.model_id, "enabled": m.enabled, "status": m.last_status, "last_run_at": m.last_run_at}
                for m in DriftMonitor.objects.filter(project=self.access.project).order_by("model_id")
            ]
        else:
            hidden["drift"] = "drift:read"
        return Response({
            "start_time": ns_to_iso(start),
            "end_time": ns_to_iso(end),
            "bucket_seconds": step,
            "requests": {
                "count": total.requests, "errors": total.errors,
                "error_rate": total.errors / total.requests if total.requests else None,
                "p50_ms": total.p50_ms, "p95_ms": total.p95_ms,
            },
            "series": [{"time": ns_to_iso(b.start_ns), "requests": b.requests, "errors": b.errors, "p95_ms": b.p95_ms}
                       for b in stats.series],
            "services": [s.__dict__ for s in stats.services],
            "costs": costs,
            "drift": DashboardDriftStatusSerializer(drift, many=True).data if drift is not None else None,
            "hidden": hidden,
        })  # fmt: skip
