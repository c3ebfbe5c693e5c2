"""Budgets: a spend limit per period for a project, or one model / user / feature / team / environment.

Thresholds are percentages of the limit; each one alerts at most once per period (BudgetAlert's
unique constraint makes that hold even with several workers). BudgetForecast caches the daily
forecast a budget's projection uses, refreshed hourly by `costs.refresh_forecasts`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from webapp.costs.models.channels import NotificationChannel
from webapp.projects.models import Project
from workers.analysis.cost import Budget as BudgetSpec
from workers.analysis.cost import BudgetDimension, BudgetPeriod

DIMENSION_COLUMNS = {  # budget dimension -> costs column it filters on
    BudgetDimension.MODEL: "model_id",
    BudgetDimension.USER: "user_id",
    BudgetDimension.FEATURE: "feature_id",
    BudgetDimension.TEAM: "team",
    BudgetDimension.ENVIRONMENT: "environment",
}
MAX_THRESHOLDS = 10
MAX_THRESHOLD_PERCENT = 1000


def default_thresholds() -> list[int]:
    return [50, 80, 100]


class Budget(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budgets")
    name = models.CharField(max_length=200)
    dimension = models.CharField(max_length=16, choices=[(d.value, d.value) for d in BudgetDimension])
    value = models.CharField(max_length=500, blank=True, help_text="the model, user, ... this budget is for")
    period = models.CharField(max_length=16, choices=[(p.value, p.value) for p in BudgetPeriod])
    limit_usd = models.DecimalField(max_digits=16, decimal_places=6,
                                    validators=[MinValueValidator(Decimal("0.000001")),
                                                MaxValueValidator(Decimal("1000000000"))])  # fmt: skip
    thresholds = models.JSONField(default=default_thresholds, help_text="percentages of the limit, e.g. [50, 80, 100]")
    channels = models.ManyToManyField(NotificationChannel, blank=True, related_name="budgets")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project__slug", "name", "id"]

    def __str__(self) -> str:
        scope = "everything" if self.dimension == BudgetDimension.GLOBAL else f"{self.dimension} {self.value}"
        return f"{self.name}: {self.limit_usd} USD {self.period} for {scope}"

    @property
    def limit_micros(self) -> int:
        return int(Decimal(self.limit_usd) * 1_000_000)

    def spec(self) -> BudgetSpec:
        """The pure layer's budget (raises ValueError when the fields do not make one)."""
        return BudgetSpec(BudgetDimension(self.dimension), self.value, BudgetPeriod(self.period), self.limit_micros,
                          tuple(self.thresholds), id=str(self.pk or ""))  # fmt: skip

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        self.value = (self.value or "").strip()
        if self.dimension == BudgetDimension.GLOBAL and self.value:
            errors["value"] = "a global budget covers the whole project: leave value empty"
        elif self.dimension != BudgetDimension.GLOBAL and not self.value:
            errors["value"] = f"name the {self.dimension} this budget is for"
        t = self.thresholds
        if (not isinstance(t, list) or not 0 < len(t) <= MAX_THRESHOLDS
                or not all(isinstance(x, int | float) and not isinstance(x, bool)
                           and 0 < x <= MAX_THRESHOLD_PERCENT for x in t)):  # fmt: skip
            errors["thresholds"] = (f"1-{MAX_THRESHOLDS} percentages, each above 0 and at most "
                                    f"{MAX_THRESHOLD_PERCENT}, e.g. [50, 80, 100]")  # fmt: skip
        if errors:
            raise ValidationError(errors)
        self.thresholds = sorted(set(t))


class BudgetForecast(models.Model):
    budget = models.OneToOneField(Budget, on_delete=models.CASCADE, related_name="forecast")
    computed_at = models.DateTimeField()
    first_day = models.DateField(help_text="the day the daily means start")
    daily_micros = models.JSONField(help_text="forecast spend per day in micro-dollars")
    method = models.CharField(max_length=64)
    history_days = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"forecast of {self.budget_id} from {self.first_day} ({self.method})"
