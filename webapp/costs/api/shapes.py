"""Response shapes of the cost endpoints: dicts built here, documented by the serializers below.

Money is stored exactly (Decimal dollars, 12 decimals) and given as USD floats (`*_usd`, the exact sum
rounded to 9 decimals) and as whole micro-dollars (`*_micros`, rounded half up once from the exact sum).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from webapp.api.params import ns_to_iso
from workers.storage.costs.reads import CostGroup, CostTotals


def usd(value: Decimal) -> float:
    """An exact sum for display: rounded to nano-dollars (a 10-token embedding is not $0)."""
    return float(round(value, 9))


def exact(value: Decimal) -> str:
    """An exact sum as a decimal string with all 12 stored decimals."""
    return f"{value.quantize(_PICO):f}"


_PICO = Decimal("1e-12")


def key_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def totals(t: CostTotals) -> dict[str, Any]:
    return {
        "requests": t.requests,
        "priced_requests": t.priced_requests,
        "unpriced_requests": t.unpriced_requests,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "cache_read_tokens": t.cache_read_tokens,
        "cache_creation_tokens": t.cache_creation_tokens,
        "reasoning_tokens": t.reasoning_tokens,
        "input_cost_micros": t.input_cost_micros,
        "cache_cost_micros": t.cache_cost_micros,
        "output_cost_micros": t.output_cost_micros,
        "cost_micros": t.total_cost_micros,
        "cost_usd": usd(t.total_cost_usd),
        "cost_usd_exact": exact(t.total_cost_usd),
    }


def group(g: CostGroup) -> dict[str, Any]:
    return {"key": {k: key_value(v) for k, v in g.key.items()}, **totals(g.totals)}


def summary(project: str, start_ns: int, end_ns: int, group_by: list[str], scope: str, t: CostTotals,
            periods: list[CostGroup], period: str, groups: list[CostGroup]) -> dict[str, Any]:  # fmt: skip
    return {
        "project": project,
        "start_time": ns_to_iso(start_ns),
        "end_time": ns_to_iso(end_ns),
        "scope": scope,
        "group_by": group_by,
        "total_cost_usd": usd(t.total_cost_usd),
        "total_cost_usd_exact": exact(t.total_cost_usd),
        "total_cost_micros": t.total_cost_micros,
        "total_requests": t.requests,
        "total_input_tokens": t.input_tokens,
        "total_output_tokens": t.output_tokens,
        "average_cost_per_request_usd": usd(t.total_cost_usd / t.priced_requests) if t.priced_requests else 0.0,
        "totals": totals(t),
        "period": period,
        "by_period": [{"period": key_value(p.key[period]), "cost_usd": usd(p.totals.total_cost_usd),
                       "cost_usd_exact": exact(p.totals.total_cost_usd), "cost_micros": p.totals.total_cost_micros,
                       "requests": p.totals.requests}
                      for p in sorted(periods, key=lambda p: p.key[period])],
        "groups": [group(g) for g in groups],
    }


class CostTotalsSerializer(serializers.Serializer):
    requests = serializers.IntegerField(help_text="spans with token usage")
    priced_requests = serializers.IntegerField()
    unpriced_requests = serializers.IntegerField(help_text="usage but no known price: not counted in the cost")
    input_tokens = serializers.IntegerField(help_text="includes cache reads and writes")
    output_tokens = serializers.IntegerField(help_text="includes reasoning where the provider counts it so")
    cache_read_tokens = serializers.IntegerField()
    cache_creation_tokens = serializers.IntegerField()
    reasoning_tokens = serializers.IntegerField()
    input_cost_micros = serializers.IntegerField(help_text="all input, including cache_cost_micros")
    cache_cost_micros = serializers.IntegerField()
    output_cost_micros = serializers.IntegerField(help_text="output including reasoning")
    cost_micros = serializers.IntegerField()
    cost_usd = serializers.FloatField(help_text="the exact sum rounded to nano-dollars")
    cost_usd_exact = serializers.CharField(help_text="the exact sum in dollars, a decimal string (12 decimals)")


class CostGroupSerializer(CostTotalsSerializer):
    key = serializers.DictField(help_text="group name -> value (day: YYYY-MM-DD, hour: RFC 3339)")


class PeriodSerializer(serializers.Serializer):
    period = serializers.CharField()
    cost_usd = serializers.FloatField()
    cost_usd_exact = serializers.CharField(help_text="the exact sum in dollars, a decimal string (12 decimals)")
    cost_micros = serializers.IntegerField()
    requests = serializers.IntegerField()


class CostSummarySerializer(serializers.Serializer):
    project = serializers.CharField()
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    scope = serializers.CharField(help_text="all, or own: only the caller's user_id")
    group_by = serializers.ListField(child=serializers.CharField())
    total_cost_usd = serializers.FloatField()
    total_cost_usd_exact = serializers.CharField(help_text="the exact sum in dollars, a decimal string (12 decimals)")
    total_cost_micros = serializers.IntegerField()
    total_requests = serializers.IntegerField()
    total_input_tokens = serializers.IntegerField()
    total_output_tokens = serializers.IntegerField()
    average_cost_per_request_usd = serializers.FloatField(help_text="over priced requests")
    totals = CostTotalsSerializer()
    period = serializers.CharField(help_text="bucket of by_period: day or hour")
    by_period = PeriodSerializer(many=True)
    groups = CostGroupSerializer(many=True)


class BreakdownItemSerializer(CostTotalsSerializer):
    value = serializers.CharField()
    share_percent = serializers.FloatField(help_text="share of the total cost")


class CostBreakdownSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    scope = serializers.CharField(help_text="all, or own: only the caller's user_id")
    total_cost_usd = serializers.FloatField()
    total_cost_usd_exact = serializers.CharField(help_text="the exact sum in dollars, a decimal string (12 decimals)")
    total_cost_micros = serializers.IntegerField()
    items = BreakdownItemSerializer(many=True)
    other = CostTotalsSerializer(help_text="everything outside the top `limit` values")


class UnpricedModelSerializer(serializers.Serializer):
    model_id = serializers.CharField()
    provider = serializers.CharField()
    reason = serializers.CharField()
    spans = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    first_seen = serializers.CharField()
    last_seen = serializers.CharField()


class UnpricedListSerializer(serializers.Serializer):
    models = UnpricedModelSerializer(many=True)
