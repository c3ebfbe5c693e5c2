"""Pure cost analysis: prices, per-span cost, budgets, forecasts and savings recommendations.

No storage, Django or Celery here: tasks and views load aggregates, call these functions and
store or serve the results. Model prices come from genai-prices (`source.py`) under PyFlare's
conventions in the SDK's packaged `cost_prices.json`; costs are exact (pico-dollars, Decimal dollars).
"""

from workers.analysis.cost.backtest import Backtest, backtest
from workers.analysis.cost.book import PriceBook, Resolution, Segment
from workers.analysis.cost.budgets import (
    Budget,
    BudgetDimension,
    BudgetPeriod,
    BudgetStatus,
    Crossing,
    Projection,
    evaluate,
    period_bounds,
    project,
    status,
)
from workers.analysis.cost.calculate import CostResult, calculate_cost, default_book
from workers.analysis.cost.forecast import Forecast, forecast_daily, forecast_many
from workers.analysis.cost.pricing import NO_USAGE, PRICED, UNPRICED, BatchCost, price_batch, price_encoded
from workers.analysis.cost.savings import ModelUsage, Recommendation, RepeatedPrompt, caching, cheaper_models, recommend
from workers.analysis.cost.table import PriceEntry, PriceTable, packaged_table, packaged_table_bytes

__all__ = [
    "NO_USAGE",
    "PRICED",
    "UNPRICED",
    "Backtest",
    "BatchCost",
    "Budget",
    "BudgetDimension",
    "BudgetPeriod",
    "BudgetStatus",
    "CostResult",
    "Crossing",
    "Forecast",
    "ModelUsage",
    "PriceBook",
    "PriceEntry",
    "PriceTable",
    "Projection",
    "Recommendation",
    "RepeatedPrompt",
    "Resolution",
    "Segment",
    "backtest",
    "caching",
    "calculate_cost",
    "cheaper_models",
    "default_book",
    "evaluate",
    "forecast_daily",
    "forecast_many",
    "packaged_table",
    "packaged_table_bytes",
    "period_bounds",
    "price_batch",
    "price_encoded",
    "project",
    "recommend",
    "status",
]
