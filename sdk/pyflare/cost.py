"""LLM call cost from PyFlare's packaged price table: `calculate_cost(...) -> CostResult`.

Costs are exact Decimal dollars (`usd`; whole pico-dollars, never rounded before a sum), with
`micros` rounded half up for display. Prices come from genai-prices. Token convention (OTel
GenAI): `input_tokens` includes cache reads and writes; `output_tokens` includes reasoning
tokens where the provider counts them so (OpenAI, Anthropic) — Gemini reports thinking tokens
apart and they are added. A model genai-prices does not know is unpriced (`usd is None`) with
the reason, never $0.

    from pyflare.cost import calculate_cost
    calculate_cost("gpt-4o-2024-08-06", input_tokens=1200, output_tokens=300, cache_read_tokens=1024)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pyflare import cost_source
from pyflare.cost_table import (
    Entry,
    Period,
    PriceTable,
    find,
    index,
    instant,
    ordered,
    packaged,
    period_id,
    rates,
)

__all__ = ["CostResult", "PriceBook", "calculate_cost"]


def _round(value: Decimal | None) -> int | None:
    return None if value is None else int(value.scaleb(6).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class CostResult:
    usd: Decimal | None  # exact dollars; None = unpriced
    input_usd: Decimal | None  # uncached input
    output_usd: Decimal | None  # output incl. reasoning
    cache_usd: Decimal | None  # cache read + cache write
    priced: bool
    price_id: str | None
    version: str
    reason: str = ""
    model: str | None = None  # canonical name of the matched price
    provider: str | None = None
    family: str = ""  # model family: gpt-4o-mini for gpt-4o-mini-2024-07-18

    @property
    def dollars(self) -> float | None:
        return None if self.usd is None else float(self.usd)

    @property
    def micros(self) -> int | None:
        """Whole micro-dollars, half up (display); sum `usd`, not these."""
        return _round(self.usd)

    @property
    def input_micros(self) -> int | None:
        return _round(self.input_usd)

    @property
    def output_micros(self) -> int | None:
        return _round(self.output_usd)

    @property
    def cache_micros(self) -> int | None:
        return _round(self.cache_usd)


class PriceBook:
    """The packaged table plus custom prices ({"model", "provider", "input", "output", "cache_read",
    "cache_write", "reasoning", "effective_from", "effective_to", "aliases"}; USD per million
    tokens). Custom prices win wherever they are in force."""

    def __init__(self, overrides: Iterable[Mapping[str, Any]] = (), table: PriceTable | None = None) -> None:
        self.table = table or packaged()
        groups: dict[tuple[str, str | None], list[Mapping[str, Any]]] = {}
        for raw in overrides:
            model = str(raw.get("model") or "").strip().lower()
            if not model:
                raise ValueError("a custom price needs a model name")
            groups.setdefault((model, self.table.provider(raw.get("provider"))), []).append(raw)
        self.overrides = [self._override(m, p, raws) for (m, p), raws in groups.items()]
        self._index = index(self.overrides)

    def _override(self, model: str, provider: str | None, raws: list[Mapping[str, Any]]) -> Entry:
        periods, aliases, rio = [], [], None
        for raw in raws:
            start = instant(raw.get("effective_from"))
            pid = (
                f"override:{raw['id']}"
                if raw.get("id") is not None
                else f"override:{period_id(model, start)}"
            )
            periods.append(Period(pid, start, instant(raw.get("effective_to")), rates(raw), ()))
            aliases += [str(a).strip().lower() for a in raw.get("aliases") or ()]
            if raw.get("reasoning_in_output") is not None:
                rio = bool(raw["reasoning_in_output"])
        if rio is None and provider in self.table.conventions:
            rio = self.table.conventions[provider].get("reasoning_in_output", True)
        return Entry(
            model, (provider,) if provider else (), tuple(aliases), ordered(periods, model), rio, True
        )

    def cost(
        self, model: str, tokens: tuple[int, int, int, int, int], provider: str | None, at: datetime | None
    ) -> CostResult:
        table = self.table
        hint = table.provider(provider)
        if at is not None and at.tzinfo is None:
            raise ValueError("`at` must be timezone-aware")
        names = table.candidates(model) if model.strip() else []
        entry, listed = find(table.index, names, hint)
        if entry is None and names:
            entry = table.deployment(model, hint)
        source_why = ""
        if entry is None and names and table.use_source:
            entry, source_why = _from_source(table, model, names, hint)
        custom, custom_listed = find(self._index, names, hint)
        chosen = _in_force(custom, at) or _in_force(entry, at)
        named = entry or custom
        family = table.family(named.model if named else model) if names else ""
        if chosen is None:
            if not names:
                why = "no model name"
            elif source_why and not custom:
                why = source_why
            elif listed | custom_listed:
                why = (
                    f"model {model!r} is priced for {', '.join(sorted(listed | custom_listed))}, not {hint!r}"
                )
            elif entry or custom:
                why = f"no price for model {model!r} in force at {at}"
            else:
                why = f"model {model!r} (provider {hint or 'unknown'}) is not in price table {table.version}"
            return CostResult(None, None, None, None, False, None, table.version, why, None, hint, family)
        owner, period = chosen
        rio = owner.reasoning_in_output
        if rio is None:  # a custom price without a provider keeps the convention of the model it overrides
            rio = entry.reasoning_in_output if entry and entry.reasoning_in_output is not None else True
        inp, out, cache_read, cache_write, reasoning = tokens
        cached = cache_read + cache_write
        uncached = inp - cached if inp >= cached else inp  # raw Anthropic counts exclude the cache
        price = period.rates
        price_id = period.price_id
        for above, tier_rates in period.tiers:
            if uncached + cached > above:
                price, price_id = tier_rates, f"{period.price_id}>{above}"
        visible = out - reasoning if rio and reasoning <= out else out
        i = uncached * price[0]  # pico-dollars, exact
        c = cache_read * price[2] + cache_write * price[3]
        o = visible * price[1] + reasoning * price[4]
        return CostResult(_usd(i + c + o), _usd(i), _usd(o), _usd(c), True, price_id, table.version, "",
                          owner.model, hint, family)  # fmt: skip


def _usd(pico: int) -> Decimal:
    return Decimal(pico) / 10**12


def _from_source(
    table: PriceTable, model: str, names: list[str], hint: str | None
) -> tuple[Entry | None, str]:
    """The genai-prices entry for the name as given or any of its stripped forms."""
    source_provider = None
    if hint is not None:
        source_provider = table.source_providers.get(hint) or cost_source.provider_id(hint)
        if source_provider is None:
            return None, f"provider {hint!r} has no published prices in {cost_source.SOURCE}"
    found = cost_source.lookup(tuple(names), source_provider)
    deployments = table.conventions.get(hint or "", {}).get("deployment_names")
    if found is None and source_provider is not None and deployments:
        found = cost_source.deployment(model, source_provider)
    if found is None:
        return None, f"model {model!r} (provider {hint or 'unknown'}) is not in {cost_source.SOURCE}"
    pid, mid, _name = found
    rio = not any(rule.search(mid.lower()) for rule in table.reasoning_apart)
    entry = cost_source.entry(pid, mid, rio)
    if entry is None:
        return None, f"model {model!r} is priced in units a span does not carry"
    return entry, ""


def _in_force(entry: Entry | None, at: datetime | None) -> tuple[Entry, Period] | None:
    if entry is None:
        return None
    for period in reversed(entry.periods):
        if period.end is None if at is None else period.covers(at):
            return entry, period
    return None


_default: PriceBook | None = None


def calculate_cost(
    model: str,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_creation_tokens: int = 0,
    reasoning_tokens: int = 0,
    provider: str | None = None,
    at: datetime | None = None,
    overrides: PriceBook | Iterable[Mapping[str, Any]] | None = None,
) -> CostResult:
    """Cost of one call at the price in force at `at` (aware datetime; None = current price)."""
    global _default
    if isinstance(overrides, PriceBook):
        book = overrides
    elif overrides is not None:
        book = PriceBook(overrides)
    else:
        book = _default = _default or PriceBook()
    tokens = (input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens)
    for n in tokens:
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < 2**32:
            raise ValueError(f"token counts must be integers in [0, 2**32), got {n!r}")
    return book.cost(model, tokens, provider, at)
