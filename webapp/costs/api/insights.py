"""`GET /costs/forecast` (daily forecast with an interval and its backtest) and
`GET /costs/recommendations` (savings, each with the numbers it rests on)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.params import MAX_TEXT, TimeField, ns_to_iso, validate_query
from webapp.costs.api.params import DAY_NS, cost_scope
from webapp.costs.api.storage import read
from webapp.costs.forecasting import cost_forecast, finite
from webapp.costs.prices import project_book
from webapp.projects.access import ProjectScoped
from workers.analysis.cost import recommend
from workers.storage.costs.usage import model_usages, repeated_prompts

FORECAST_DESCRIPTION = """Daily cost forecast for the project, or one model (`model_id`), over `horizon_days`.

Fitted on whole UTC days up to yesterday (`history_days`, from the first day with any cost): ETS
with a damped trend and weekly seasonality when there are 4 weeks of history, simpler models with
less (`method`). `lower`/`upper` bound a `level` prediction interval. `backtest` replays the
forecaster at weekly origins over the history (7-day horizon) and reports its MAPE next to the naive
last-value forecast's; null until 35 days of history exist."""


class ForecastQuery(serializers.Serializer):
    model_id = serializers.CharField(required=False, max_length=MAX_TEXT, help_text="forecast one model's cost")
    horizon_days = serializers.IntegerField(min_value=1, max_value=365, default=30)
    history_days = serializers.IntegerField(min_value=7, max_value=400, default=120)
    level = serializers.FloatField(min_value=0.5, max_value=0.99, default=0.9, help_text="interval coverage")
    backtest = serializers.BooleanField(default=True)


class ForecastDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    mean_usd = serializers.FloatField()
    lower_usd = serializers.FloatField()
    upper_usd = serializers.FloatField()


class BacktestSerializer(serializers.Serializer):
    mape_model = serializers.FloatField(allow_null=True, help_text="percent")
    mape_naive = serializers.FloatField(allow_null=True, help_text="percent, last value repeated")
    beats_naive = serializers.BooleanField()
    origins = serializers.IntegerField()
    points = serializers.IntegerField()
    horizon_days = serializers.IntegerField()


class CostForecastSerializer(serializers.Serializer):
    model_id = serializers.CharField(allow_null=True)
    method = serializers.CharField()
    level = serializers.FloatField()
    history_days = serializers.IntegerField()
    history = serializers.ListField(child=serializers.FloatField(), help_text="USD per day, oldest first")
    first_history_day = serializers.DateField()
    days = ForecastDaySerializer(many=True)
    total_mean_usd = serializers.FloatField()
    total_lower_usd = serializers.FloatField()
    total_upper_usd = serializers.FloatField()
    backtest = BacktestSerializer(allow_null=True)


class CostForecastView(ProjectScoped, APIView):
    required_permissions = {"GET": "costs:read"}

    @extend_schema(parameters=[ForecastQuery], responses=CostForecastSerializer, summary="Cost forecast",
                   operation_id="costs_forecast", description=FORECAST_DESCRIPTION, tags=["costs"])  # fmt: skip
    def get(self, request: Request) -> Response:
        values, _ = validate_query(request, ForecastQuery)
        model = values.get("model_id")
        filters = {"model_id": model} if model is not None else {}
        today = datetime.now(UTC).date()
        result = read(lambda client: cost_forecast(
            client, self.access.project.slug, filters, today, values["horizon_days"], values["history_days"],
            values["level"], values["backtest"]))  # fmt: skip
        f = result.forecast
        tested = result.backtest
        return Response({
            "model_id": model,
            "method": f.method,
            "level": f.level,
            "history_days": len(result.history),
            "history": [v / 1e6 for v in result.history],
            "first_history_day": result.first_history_day,
            "days": [{"day": d, "mean_usd": m / 1e6, "lower_usd": lo / 1e6, "upper_usd": hi / 1e6}
                     for d, m, lo, hi in zip(f.days, f.mean, f.lower, f.upper, strict=True)],
            "total_mean_usd": float(f.mean.sum()) / 1e6,
            "total_lower_usd": float(f.lower.sum()) / 1e6,
            "total_upper_usd": float(f.upper.sum()) / 1e6,
            "backtest": None if tested is None else {
                "mape_model": finite(tested.mape_model), "mape_naive": finite(tested.mape_naive),
                "beats_naive": tested.model_beats_naive, "origins": tested.origins, "points": tested.points,
                "horizon_days": tested.horizon},
        })  # fmt: skip


class WindowQuery(serializers.Serializer):
    start_time = TimeField(required=False, help_text="from this time (default: 7 days before end_time)")
    end_time = TimeField(required=False, help_text="until this time, exclusive (default: now)")


class RecommendationSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="cache_repeated_prompt or cheaper_model")
    title = serializers.CharField()
    detail = serializers.CharField(help_text="the numbers the recommendation rests on, in words")
    saving_usd = serializers.FloatField()
    saving_micros = serializers.IntegerField()
    evidence = serializers.DictField()


class RecommendationListSerializer(serializers.Serializer):
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    recommendations = RecommendationSerializer(many=True)


class RecommendationsView(ProjectScoped, APIView):
    required_permissions = {"GET": "costs:read"}

    @extend_schema(
        parameters=[WindowQuery], responses=RecommendationListSerializer, tags=["costs"],
        summary="Savings recommendations", operation_id="costs_recommendations",
        description="Over the range (default: the last 7 days): identical inputs sent repeatedly (response "
                    "caching would save every repeat) and expensive models used for short calls (a lighter model of "
                    "the same provider, priced with the project's prices). Largest saving first.",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        values, _ = validate_query(request, WindowQuery)
        scope = cost_scope(request, self.access, values, default_ns=7 * DAY_NS)
        book = project_book(scope.project)

        def query(client: Any) -> list[Any]:
            return recommend(repeated_prompts(client, scope), model_usages(client, scope), book)

        found = read(query)
        return Response({
            "start_time": ns_to_iso(scope.start_ns),
            "end_time": ns_to_iso(scope.end_ns),
            "recommendations": [{"kind": r.kind, "title": r.title, "detail": r.detail,
                                 "saving_usd": r.saving_micros / 1e6, "saving_micros": r.saving_micros,
                                 "evidence": r.evidence} for r in found],
        })  # fmt: skip

