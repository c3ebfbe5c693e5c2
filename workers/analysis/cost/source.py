"""Model prices from the maintained `genai-prices` data set, as PyFlare price entries.

genai-prices finds a model by its own match rules (dated ids, routing prefixes, provider
fallbacks such as Azure -> OpenAI) and holds each model's price history (start-date conditions)
and long-context tiers. This module turns one of its models into a `PriceEntry` — periods in UTC,
tiers as full rate sets, prices as exact pico-dollars per token — once per model (cached), so the
hot path never calls genai-prices per span. Upgrading genai-prices changes the table version;
`pyflare reprice` then brings stored costs to the new prices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Any

import genai_prices
from genai_prices import data_snapshot, types

from workers.analysis.cost.table import PICO_PER_USD_PER_MTOK, PriceEntry, PricePeriod, Rates, check_periods

SOURCE_VERSION = f"genai-prices {genai_prices.__version__}"
# genai-prices price key -> PyFlare rate; other keys (audio, image, per-request, web search...) have no
# token column on a span to apply them to.
_KEYS = {"input": "input_mtok", "output": "output_mtok", "cache_read": "cache_read_mtok",
         "cache_write": "cache_write_mtok", "reasoning": "output_reasoning_mtok"}  # fmt: skip
_BOUNDARY = "[a-z0-9.]"


def _snapshot() -> data_snapshot.DataSnapshot:
    return data_snapshot.get_snapshot()


def _pico(value: Decimal) -> int:
    """USD per million tokens -> pico-dollars per token. A few source prices carry float artefacts
    (0.18000000000000002): quantised to 1e-6 USD/Mtok, half even."""
    return int((value * PICO_PER_USD_PER_MTOK).to_integral_value(rounding=ROUND_HALF_EVEN))


def _price_at(value: Any, level: int) -> Decimal | None:
    """A plain price, or a tiered one's price for requests above `level` input tokens (-1: base)."""
    if value is None or isinstance(value, Decimal):
        return value
    price = value.base
    for tier in value.tiers:
        if tier.start <= level:
            price = tier.price
    return price


def _rates(price: types.ModelPrice, level: int) -> Rates | None:
    got = {name: _price_at(getattr(price, key, None), level) for name, key in _KEYS.items()}
    if got["input"] is None and got["output"] is None and any(v is not None for v in vars(price).values()):
        return None  # priced by something a span does not carry (characters, seconds, requests)
    # no price at all: a free model (`:free` variants), $0 per token
    inp = _pico(got["input"] or Decimal(0))
    out = _pico(got["output"] or Decimal(0))

    def opt(name: str, default: int) -> int:
        v = got[name]
        return default if v is None else _pico(v)

    return Rates(inp, out, opt("cache_read", inp), opt("cache_write", inp), opt("reasoning", out))


def _tiers(price: types.ModelPrice) -> tuple[tuple[int, Rates], ...]:
    """Every threshold of any tiered price, each with the full rate set in force above it."""
    starts = sorted({t.start for key in _KEYS.values()
                     if isinstance(v := getattr(price, key, None), types.TieredPrices) for t in v.tiers})  # fmt: skip
    out = []
    for start in starts:
        rates = _rates(price, start)
        if rates is not None:
            out.append((start, rates))
    return tuple(out)


def _instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _daily_hours(c: types.TimeOfDateConstraint) -> float:
    minutes = lambda t: t.hour * 60 + t.minute  # noqa: E731
    span = (minutes(c.end_time) - minutes(c.start_time)) % (24 * 60)
    return span / 60


def _conditions(model: types.ModelInfo) -> list[tuple[datetime | None, types.ModelPrice]]:
    """(start, price) in force from start: genai-prices uses the last active condition, else the first.

    A span's price depends on its date only: a time-of-day condition covering most of the day (the
    standard hours around an off-peak window) counts as always active, a shorter one (the off-peak
    discount) is left out — off-peak calls are priced at the standard rate."""
    prices = model.prices
    if isinstance(prices, types.ModelPrice):
        return [(None, prices)]
    dated = [c for c in prices if not isinstance(c.constraint, types.TimeOfDateConstraint)
             or _daily_hours(c.constraint) >= 12]  # fmt: skip
    if not dated:
        return [(None, prices[0].prices)]

    def start_of(c: types.ConditionalPrice) -> datetime | None:
        return _instant(c.constraint.start_date) if isinstance(c.constraint, types.StartDateConstraint) else None

    starts = sorted({s for c in dated if (s := start_of(c)) is not None})
    out: list[tuple[datetime | None, types.ModelPrice]] = []
    for start in [None, *starts]:
        active = [c for c in dated if not isinstance(c.constraint, types.StartDateConstraint)
                  or (start is not None and _instant(c.constraint.start_date) <= start)]  # fmt: skip
        chosen = active[-1].prices if active else prices[0].prices
        if not out or out[-1][1] is not chosen:
            out.append((start, chosen))
    return out


@cache
def source_entry(provider_id: str, model_id: str, reasoning_in_output: bool) -> PriceEntry | None:
    """The genai-prices model as a PriceEntry (None when it prices nothing a span carries)."""
    provider = next(p for p in _snapshot().providers if p.id == provider_id)
    model = _find_by_id(provider, model_id)
    conditions = _conditions(model)
    periods = []
    for i, (start, price) in enumerate(conditions):
        rates = _rates(price, -1)
        if rates is None:
            continue
        end = conditions[i + 1][0] if i + 1 < len(conditions) else None
        stamp = "initial" if start is None else start.date().isoformat()
        pid = f"{provider_id}:{model.id}@{stamp}"
        periods.append(PricePeriod(pid, start, end, rates, _tiers(price)))
    if not periods:
        return None
    return PriceEntry(
        model=model.id.lower(),
        providers=(),
        aliases=(),
        periods=check_periods(model.id, periods),
        reasoning_in_output=reasoning_in_output,
        kind="source",
        source=f"{SOURCE_VERSION} ({provider_id})",
        origin="table",
    )


def _find_by_id(provider: types.Provider, model_id: str) -> types.ModelInfo:
    for m in provider.models:
        if m.id == model_id:
            return m
    for other in _snapshot().providers:  # reached through the provider's fallbacks
        if other.id in (provider.fallback_model_providers or ()):
            for m in other.models:
                if m.id == model_id:
                    return m
    raise KeyError(f"{provider.id}: no model {model_id!r}")


@cache
def source_provider(name: str) -> str | None:
    """genai-prices provider id for a provider name (its id or its own provider match rules)."""
    found = data_snapshot.find_provider_by_id(_snapshot().providers, name)
    return found.id if found else None


@cache
def find(names: tuple[str, ...], provider_id: str | None) -> tuple[str, str, str] | None:
    """(genai provider id, model id, the name that matched) for the first name genai-prices knows."""
    snap = _snapshot()
    for name in names:
        try:
            provider, model = snap.find_provider_model(name, None, provider_id, None)
        except LookupError:
            continue
        return provider.id, model.id, name
    return None


def find_in_deployment(raw: str, provider_id: str) -> tuple[str, str, str] | None:
    """Azure-style deployment names: the longest model id of the provider inside the name."""
    lowered = raw.strip().lower()
    provider = next(p for p in _snapshot().providers if p.id == provider_id)
    best: str | None = None
    for model_id in _model_ids(provider_id):
        if (best is None or len(model_id) > len(best)) and model_id in lowered and re.search(
            f"(?<!{_BOUNDARY}){re.escape(model_id)}(?!{_BOUNDARY})", lowered
        ):
            best = model_id
    if best is None:
        return None
    found = find((best,), provider.id)
    return None if found is None else (found[0], found[1], best)


@cache
def _model_ids(provider_id: str) -> tuple[str, ...]:
    providers: Mapping[str, types.Provider] = {p.id: p for p in _snapshot().providers}
    provider = providers[provider_id]
    ids = [m.id.lower() for m in provider.models]
    for other in provider.fallback_model_providers or ():
        if other in providers:
            ids += [m.id.lower() for m in providers[other].models]
    return tuple(dict.fromkeys(ids))
