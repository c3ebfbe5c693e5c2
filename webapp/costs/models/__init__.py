"""The control-plane records of the costs app (one module per idea)."""

from webapp.costs.models.alerts import AlertDelivery, BudgetAlert
from webapp.costs.models.budgets import Budget, BudgetForecast
from webapp.costs.models.channel_deliveries import ChannelDelivery
from webapp.costs.models.channels import NotificationChannel
from webapp.costs.models.prices import PriceOverride

__all__ = ["AlertDelivery", "Budget", "BudgetAlert", "BudgetForecast", "ChannelDelivery", "NotificationChannel",
           "PriceOverride"]
