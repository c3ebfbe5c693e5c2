"""Routes of the costs app under /api/v1."""

from __future__ import annotations

from django.urls import path

from webapp.costs.api.budgets import BudgetAlertsView, BudgetDetailView, BudgetListView, BudgetStatusView
from webapp.costs.api.channels import ChannelDetailView, ChannelListView, ChannelTestView
from webapp.costs.api.insights import CostForecastView, RecommendationsView
from webapp.costs.api.prices import PriceOverrideDetailView, PriceOverrideListView
from webapp.costs.api.summary import CostBreakdownView, CostExportView, CostSummaryView, UnpricedModelsView

urlpatterns = [
    path("costs", CostSummaryView.as_view(), name="costs-summary"),
    path("costs/breakdown", CostBreakdownView.as_view(), name="costs-breakdown"),
    path("costs/export", CostExportView.as_view(), name="costs-export"),
    path("costs/forecast", CostForecastView.as_view(), name="costs-forecast"),
    path("costs/recommendations", RecommendationsView.as_view(), name="costs-recommendations"),
    path("costs/unpriced", UnpricedModelsView.as_view(), name="costs-unpriced"),
    path("costs/budgets", BudgetListView.as_view(), name="budgets"),
    path("costs/budgets/<int:budget_id>", BudgetDetailView.as_view(), name="budget"),
    path("costs/budgets/<int:budget_id>/status", BudgetStatusView.as_view(), name="budget-status"),
    path("costs/budgets/<int:budget_id>/alerts", BudgetAlertsView.as_view(), name="budget-alerts"),
    path("costs/prices", PriceOverrideListView.as_view(), name="prices"),
    path("costs/prices/<int:price_id>", PriceOverrideDetailView.as_view(), name="price"),
    path("notification-channels", ChannelListView.as_view(), name="notification-channels"),
    path("notification-channels/<int:channel_id>", ChannelDetailView.as_view(), name="notification-channel"),
    path("notification-channels/<int:channel_id>/test", ChannelTestView.as_view(), name="notification-channel-test"),
]
