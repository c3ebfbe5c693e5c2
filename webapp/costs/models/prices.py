"""Per-project model price overrides and custom models, as the admin and the API store them.

Each row is one price period of one model (optionally one provider), in USD per million tokens.
A row for a model the packaged table does not know is a custom model. Rows are validated with the
pricer itself: the project's whole set must build a PriceBook (no overlapping periods, prices in
range), so ingest never meets an override it cannot use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from webapp.projects.models import Project
from workers.analysis.cost import PriceBook
from workers.analysis.cost.table import MAX_USD_PER_MTOK

_PRICE = {"max_digits": 10, "decimal_places": 6,
          "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(MAX_USD_PER_MTOK))]}  # fmt: skip


def _price(help_text: str, optional: bool = False) -> models.DecimalField:
    return models.DecimalField(help_text=help_text, null=optional, blank=optional, **_PRICE)  # type: ignore[arg-type]


class PriceOverride(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="price_overrides")
    model = models.CharField(max_length=200, help_text="model name as spans carry it (matched like the table)")
    provider = models.CharField(max_length=100, blank=True, help_text="only for this provider; blank: any provider")
    aliases = models.JSONField(default=list, blank=True, help_text="other names of the same model")
    input_usd_per_mtok = _price("uncached input tokens, USD per million")
    output_usd_per_mtok = _price("output tokens, USD per million")
    cache_read_usd_per_mtok = _price("cached input reads; blank: the input price", optional=True)
    cache_write_usd_per_mtok = _price("cache writes; blank: the input price", optional=True)
    reasoning_usd_per_mtok = _price("reasoning tokens; blank: the output price", optional=True)
    effective_from = models.DateTimeField(null=True, blank=True, help_text="blank: since always")
    effective_to = models.DateTimeField(null=True, blank=True, help_text="exclusive; blank: still in force")
    reasoning_in_output = models.BooleanField(
        null=True, blank=True, help_text="whether output token counts include reasoning; blank: the provider's way"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project__slug", "model", "provider", "effective_from"]

    def __str__(self) -> str:
        return f"{self.model}{f' ({self.provider})' if self.provider else ''} in {self.project_id}"

    def as_override(self) -> dict[str, Any]:
        """The mapping `workers.analysis.cost.overrides.parse_overrides` reads."""

        def num(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "id": str(self.pk) if self.pk is not None else "new",
            "model": self.model,
            "provider": self.provider or None,
            "aliases": list(self.aliases or []),
            "input": num(self.input_usd_per_mtok),
            "output": num(self.output_usd_per_mtok),
            "cache_read": num(self.cache_read_usd_per_mtok),
            "cache_write": num(self.cache_write_usd_per_mtok),
            "reasoning": num(self.reasoning_usd_per_mtok),
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "reasoning_in_output": self.reasoning_in_output,
        }

    def clean(self) -> None:
        super().clean()
        self.model = (self.model or "").strip().lower()
        self.provider = (self.provider or "").strip().lower()
        if not self.model:
            raise ValidationError({"model": "name the model"})
        aliases = self.aliases if self.aliases is not None else []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and 0 < len(a.strip()) <= 200 for a in aliases):
            raise ValidationError({"aliases": "a list of model names (1-200 characters each)"})
        if len(aliases) > 50:
            raise ValidationError({"aliases": "at most 50 aliases"})
        self.aliases = [a.strip().lower() for a in aliases]
        if self.project_id is None:
            return
        others = PriceOverride.objects.filter(project_id=self.project_id).exclude(pk=self.pk)
        try:
            PriceBook(overrides=[o.as_override() for o in others] + [self.as_override()])
        except ValueError as exc:
            raise ValidationError(f"these prices cannot be used: {exc}") from None
