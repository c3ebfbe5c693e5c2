"""`GET /costs` (summary), `/costs/breakdown`, `/costs/export` (CSV) and `/costs/unpriced`.

All answered from the hourly rollup plus the unsettled tail (workers.storage.costs.reads), exact
at any moment. Viewers (`costs:read:own`) get their own costs only (`scope: own`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.params import ns_to_iso, validate_query
from webapp.costs.api import shapes
from webapp.costs.api.params import (
    BreakdownQuery,
    RangeQuery,
    SummaryQuery,
    check_dimensions,
    cost_scope,
    own_user,
    summary_values,
)
from webapp.costs.api.storage import read
from webapp.projects.access import ProjectScoped
from workers.storage.costs import reads
from workers.storage.costs.reads import CostTotals
from workers.storage.costs.rollup import read_state

READ = "costs:read:own"  # holders of costs:read see everyone's costs; costs:read:own their own
SUMMARY_DESCRIPTION = """Cost totals of the project over [start_time, end_time), optionally grouped.

Counts spans with token usage (`requests`); spans whose model has no known price are counted in
`unpriced_requests` and add nothing to the cost (never a silent $0 — see /costs/unpriced).
`by_period` has one bucket per day (per hour when `group_by` includes `hour`). Groups are ordered
by cost, most expensive first. Exact at any moment: whole settled hours come from the hourly rollup,
the rest from the per-span costs table, each span counted once."""


def _scope_name(request: Request, view: ProjectScoped) -> str:
    return "all" if own_user(request, view.access) is None else "own"


class CostSummaryView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}

    @extend_schema(parameters=[SummaryQuery], responses=shapes.CostSummarySerializer, summary="Cost summary",
                   operation_id="costs_summary", description=SUMMARY_DESCRIPTION, tags=["costs"])  # fmt: skip
    def get(self, request: Request) -> Response:
        values = summary_values(request)
        scope = cost_scope(request, self.access, values)
        group_by: list[str] = values["group_by"]
        period = "hour" if "hour" in group_by else "day"

        def query(client: Any) -> tuple[Any, ...]:
            settled = read_state(client).settled_until_ns
            periods = reads.grouped(client, scope, [period], limit=100_000, settled_until_ns=settled)
            groups = reads.grouped(client, scope, group_by, values["limit"], settled) if group_by else []
            return periods, groups

        periods, groups = read(query)
        total = sum((p.totals for p in periods), CostTotals())  # the periods partition the range
        return Response(shapes.summary(scope.project, scope.start_ns, scope.end_ns, group_by,
                                       _scope_name(request, self), total, periods, period, groups))  # fmt: skip


def _minus(a: CostTotals, b: CostTotals) -> CostTotals:
    return CostTotals(*(x - y for x, y in zip(astuple(a), astuple(b), strict=True)))


class CostBreakdownView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}

    @extend_schema(
        parameters=[BreakdownQuery, OpenApiParameter(
            "dimension", str, required=True, examples=[OpenApiExample("by model", value="model")],
            description="model, provider, user, feature, team, environment or dim.<key> (PYFLARE_COST_DIMENSIONS)")],
        responses=shapes.CostBreakdownSerializer, tags=["costs"],
        summary="Cost breakdown by one dimension", operation_id="costs_breakdown",
        description="The top `limit` values of one dimension by cost, with their share of the total and "
                    "the remainder in `other`.",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        values, _ = validate_query(request, BreakdownQuery)
        dimension = values["dimension"]
        if dimension in ("day", "hour"):
            raise ValidationError({"dimension": ["break down by an attribution dimension; use /costs for time"]})
        check_dimensions([dimension], "dimension")
        scope = cost_scope(request, self.access, values)

        def query(client: Any) -> tuple[CostTotals, list[reads.CostGroup]]:
            settled = read_state(client).settled_until_ns
            return reads.totals(client, scope, settled), reads.grouped(client, scope, [dimension], values["limit"],
                                                                       settled)  # fmt: skip

        total, items = read(query)
        rest = total
        for item in items:
            rest = _minus(rest, item.totals)
        cost = total.total_cost_micros
        return Response({
            "dimension": dimension,
            "start_time": ns_to_iso(scope.start_ns),
            "end_time": ns_to_iso(scope.end_ns),
            "scope": _scope_name(request, self),
            "total_cost_usd": shapes.usd(total.total_cost_usd),
            "total_cost_usd_exact": shapes.exact(total.total_cost_usd),
            "total_cost_micros": cost,
            "items": [{"value": shapes.key_value(i.key[dimension]), **shapes.totals(i.totals),
                       "share_percent": i.totals.total_cost_micros * 100 / cost if cost else 0.0} for i in items],
            "other": shapes.totals(rest),
        })  # fmt: skip


_CSV_AMOUNTS = ("input_cost_usd", "cache_cost_usd", "output_cost_usd", "total_cost_usd")
_CSV_COUNTS = ("requests", "priced_requests", "input_tokens", "output_tokens", "cache_read_tokens",
               "cache_creation_tokens", "reasoning_tokens")  # fmt: skip


def _cell(value: Any) -> str:
    text = str(shapes.key_value(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formulas in spreadsheets


class CostExportView(ProjectScoped, APIView):
    required_permissions = {"GET": READ}
    renderer_classes = [JSONRenderer]  # errors are JSON; the export itself is a CSV response

    @extend_schema(
        parameters=[SummaryQuery], summary="Export costs as CSV", operation_id="costs_export", tags=["costs"],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="one row per group")},
        description="The summary's groups as CSV (default group_by: day and model), amounts in USD with twelve "
                    "decimals (exact: prices are whole pico-dollars per token).",
    )  # fmt: skip
    def get(self, request: Request) -> HttpResponse:
        values = summary_values(request)
        scope = cost_scope(request, self.access, values)
        group_by = values["group_by"] or ["day", "model"]
        groups = read(lambda client: reads.grouped(client, scope, group_by, values["limit"]))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*group_by, *_CSV_COUNTS, *_CSV_AMOUNTS])
        for g in groups:
            amounts = [f"{getattr(g.totals, c):.12f}" for c in _CSV_AMOUNTS]
            writer.writerow([*(_cell(g.key[k]) for k in group_by), *(getattr(g.totals, c) for c in _CSV_COUNTS),
                             *amounts])  # fmt: skip
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="costs-{scope.project}.csv"'
        return response


class UnpricedModelsView(ProjectScoped, APIView):
    required_permissions = {"GET": "costs:read"}

    @extend_schema(parameters=[RangeQuery], responses=shapes.UnpricedListSerializer, tags=["costs"],
                   summary="Models seen without a price", operation_id="costs_unpriced_list",
                   description="Models (with provider) whose spans carried tokens but matched no price: their cost "
                               "is unknown. Add a price override to price them, then `pyflare reprice`.")  # fmt: skip
    def get(self, request: Request) -> Response:
        values, _ = validate_query(request, RangeQuery)
        scope = cost_scope(request, self.access, values)
        rows = read(lambda client: reads.unpriced_models(client, scope))
        return Response({"models": [
            {"model_id": r.model_id, "provider": r.provider, "reason": r.reason, "spans": r.spans,
             "input_tokens": r.input_tokens, "output_tokens": r.output_tokens,
             "first_seen": ns_to_iso(r.first_seen_ns), "last_seen": ns_to_iso(r.last_seen_ns)}
            for r in rows]})  # fmt: skip
