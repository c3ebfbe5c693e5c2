"""Model prices from the genai-prices data set (PyPI `genai-prices`, offline snapshot), as SDK entries.

The PyFlare server reads the same data the same way (its own code, held equal by a test): a model is
found by genai-prices' match rules, its start-dated prices become periods (UTC midnight), its tiered
prices become full rate sets above each threshold, and prices become pico-dollars per token.
A span's price depends on its date only: a daily window of 12 hours or more (standard hours) counts
as always in force, a shorter one (an off-peak discount) is not applied.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Any

import genai_prices
from genai_prices import data_snapshot, types

from pyflare.cost_table import Entry, Period, Rates, ordered

SOURCE = f"genai-prices {genai_prices.__version__}"
_FIELDS = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok", "output_reasoning_mtok")
_BOUNDARY = "[a-z0-9.]"


def _providers() -> list[types.Provider]:
    return data_snapshot.get_snapshot().providers


def _to_pico(usd_per_mtok: Decimal) -> int:
    return int((usd_per_mtok * 10**6).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _value(price: Any, above: int) -> Decimal | None:
    if isinstance(price, types.TieredPrices):
        chosen = price.base
        for tier in price.tiers:
            if above >= tier.start:
                chosen = tier.price
        return chosen
    return price


def _rate_set(price: types.ModelPrice, above: int) -> Rates | None:
    raw = [_value(getattr(price, name, None), above) for name in _FIELDS]
    if raw[0] is None and raw[1] is None and any(v is not None for v in vars(price).values()):
        return None  # priced only by units a span does not carry; no price at all = a free model
    i = _to_pico(raw[0]) if raw[0] is not None else 0
    o = _to_pico(raw[1]) if raw[1] is not None else 0
    return (
        i, o,
        i if raw[2] is None else _to_pico(raw[2]),
        i if raw[3] is None else _to_pico(raw[3]),
        o if raw[4] is None else _to_pico(raw[4]),
    )  # fmt: skip


def _periods_of(model: types.ModelInfo) -> list[tuple[datetime | None, types.ModelPrice]]:
    if isinstance(model.prices, types.ModelPrice):
        return [(None, model.prices)]
    conditions = [c for c in model.prices if not isinstance(c.constraint, types.TimeOfDateConstraint)
                  or _standard_hours(c.constraint)]  # fmt: skip
    if not conditions:
        return [(None, model.prices[0].prices)]

    def start_of(c: types.ConditionalPrice) -> datetime | None:
        if not isinstance(c.constraint, types.StartDateConstraint):
            return None
        d = c.constraint.start_date
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    boundaries = sorted({s for c in conditions if (s := start_of(c)) is not None})
    result: list[tuple[datetime | None, types.ModelPrice]] = []
    for at in (None, *boundaries):
        winner = model.prices[0].prices  # no condition active: the first price
        for c in reversed(conditions):  # the last active condition wins
            s = start_of(c)
            if s is None or (at is not None and s <= at):
                winner = c.prices
                break
        if not result or result[-1][1] is not winner:
            result.append((at, winner))
    return result


def _standard_hours(c: types.TimeOfDateConstraint) -> bool:
    """A daily window of 12 hours or more: the standard hours around an off-peak discount."""
    start = c.start_time.hour * 60 + c.start_time.minute
    end = c.end_time.hour * 60 + c.end_time.minute
    return (end - start) % 1440 >= 720


def _model(provider_id: str, model_id: str) -> types.ModelInfo:
    by_id = {p.id: p for p in _providers()}
    provider = by_id[provider_id]
    for pid in (provider_id, *(provider.fallback_model_providers or ())):
        for m in by_id[pid].models if pid in by_id else ():
            if m.id == model_id:
                return m
    raise KeyError(model_id)


@cache
def entry(provider_id: str, model_id: str, reasoning_in_output: bool) -> Entry | None:
    periods_of = _periods_of(_model(provider_id, model_id))
    periods = []
    for k, (start, price) in enumerate(periods_of):
        base = _rate_set(price, -1)
        if base is None:
            continue
        tiered = [v for name in _FIELDS if isinstance(v := getattr(price, name, None), types.TieredPrices)]
        thresholds = sorted({t.start for v in tiered for t in v.tiers})
        tiers = tuple((t, r) for t in thresholds if (r := _rate_set(price, t)) is not None)
        end = periods_of[k + 1][0] if k + 1 < len(periods_of) else None
        label = start.date().isoformat() if start else "initial"
        periods.append(Period(f"{provider_id}:{model_id}@{label}", start, end, base, tiers))
    if not periods:
        return None
    return Entry(model_id.lower(), (), (), ordered(periods, model_id), reasoning_in_output)


@cache
def provider_id(name: str) -> str | None:
    found = data_snapshot.find_provider_by_id(_providers(), name)
    return None if found is None else found.id


@cache
def lookup(names: tuple[str, ...], source_provider: str | None) -> tuple[str, str, str] | None:
    """(provider id, model id, matched name) for the first of `names` genai-prices knows."""
    snapshot = data_snapshot.get_snapshot()
    for name in names:
        try:
            provider, model = snapshot.find_provider_model(name, None, source_provider, None)
        except LookupError:
            continue
        return provider.id, model.id, name
    return None


@cache
def _ids(source_provider: str) -> tuple[str, ...]:
    by_id = {p.id: p for p in _providers()}
    ids: list[str] = []
    for pid in (source_provider, *(by_id[source_provider].fallback_model_providers or ())):
        if pid in by_id:
            ids.extend(m.id.lower() for m in by_id[pid].models)
    return tuple(dict.fromkeys(ids))


def deployment(raw: str, source_provider: str) -> tuple[str, str, str] | None:
    """The longest model id of the provider contained in a deployment name (prod-gpt-4o-mini-eastus)."""
    lowered = raw.strip().lower()
    best = ""
    for mid in _ids(source_provider):
        if len(mid) > len(best) and mid in lowered and re.search(
            f"(?<!{_BOUNDARY}){re.escape(mid)}(?!{_BOUNDARY})", lowered
        ):
            best = mid
    if not best:
        return None
    found = lookup((best,), source_provider)
    return None if found is None else (found[0], found[1], best)
