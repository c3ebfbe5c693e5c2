"""Per-project price overrides and custom models, as the admin and the API store them.

One override is a plain mapping — one price period for one model (optionally one provider):

    {"model": "gpt-4o", "provider": "openai", "aliases": ["my-gpt4o"],
     "input": "2.00", "output": "8.00", "cache_read": None, "cache_write": None, "reasoning": None,
     "effective_from": "2025-06-01", "effective_to": None, "reasoning_in_output": None, "id": "17"}

Prices are USD per million tokens (number or decimal string). Overrides for the same model and
provider form one entry whose periods must not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workers.analysis.cost.names import normalise_provider
from workers.analysis.cost.table import (
    PriceEntry,
    PricePeriod,
    PriceTable,
    check_periods,
    parse_instant,
    parse_rates,
    period_id,
)


def parse_overrides(overrides: Iterable[Mapping[str, Any]], table: PriceTable) -> tuple[PriceEntry, ...]:
    groups: dict[tuple[str, str | None], list[Mapping[str, Any]]] = {}
    for i, raw in enumerate(overrides):
        model = str(raw.get("model") or "").strip().lower()
        if not model:
            raise ValueError(f"price override #{i} has no model name")
        provider = normalise_provider(raw.get("provider"), table.provider_aliases)
        groups.setdefault((model, provider), []).append(raw)
    return tuple(_entry(model, provider, raws, table) for (model, provider), raws in groups.items())


def _entry(model: str, provider: str | None, raws: list[Mapping[str, Any]], table: PriceTable) -> PriceEntry:
    scope = f"override {model}" + (f" ({provider})" if provider else "")
    periods = []
    aliases: list[str] = []
    rio_values = set()
    for raw in raws:
        start = parse_instant(raw.get("effective_from"), f"{scope}.effective_from")
        end = parse_instant(raw.get("effective_to"), f"{scope}.effective_to")
        ident = raw.get("id")
        pid = f"override:{ident}" if ident is not None else f"override:{period_id(model, start)}"
        periods.append(PricePeriod(pid, start, end, parse_rates(raw, scope)))
        aliases += [str(a).strip().lower() for a in raw.get("aliases") or ()]
        if raw.get("reasoning_in_output") is not None:
            rio_values.add(bool(raw["reasoning_in_output"]))
    if len(rio_values) > 1:
        raise ValueError(f"{scope}: periods disagree on reasoning_in_output")
    convention = table.providers.get(provider) if provider else None
    inherited = convention.reasoning_in_output if convention else None
    return PriceEntry(
        model=model,
        providers=(provider,) if provider else (),
        aliases=tuple(dict.fromkeys(aliases)),
        periods=check_periods(scope, periods),
        reasoning_in_output=rio_values.pop() if rio_values else inherited,
        kind="custom",
        source="project override",
        origin="override",
    )
