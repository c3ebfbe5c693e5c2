"""Cost of one LLM call: `calculate_cost(...) -> CostResult`, for the API and explanations.

It runs the same integer arithmetic as the batch path (a batch of one), so a span's stored cost
and the cost the API explains for it never disagree. `pyflare.cost.calculate_cost` in the SDK is
an independent pure-Python implementation over the same price file; a test holds them equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workers.analysis.cost.book import PriceBook, to_ns
from workers.analysis.cost.pricing import PRICED, price_encoded

_MAX_TOKENS = 2**32 - 1  # token columns are UInt32


def usd(pico: int) -> Decimal:
    """Exact dollars from pico-dollars."""
    return Decimal(pico).scaleb(-12)


def round_micros(value: Decimal | None) -> int | None:
    """Whole micro-dollars, half up: for display and thresholds, never summed."""
    return None if value is None else int(value.scaleb(6).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class CostResult:
    usd: Decimal | None  # exact; None = unpriced, never 0 for an unknown model
    input_usd: Decimal | None  # uncached input
    output_usd: Decimal | None  # output incl. reasoning
    cache_usd: Decimal | None  # cache read + cache write
    priced: bool
    price_id: str | None  # which price period (and tier) was applied
    version: str  # price table version (+ overrides digest)
    reason: str = ""  # why unpriced
    model: str | None = None  # canonical name of the matched price
    provider: str | None = None  # normalised provider hint
    matched_by: str = ""
    family: str = ""  # model family: gpt-4o-mini for gpt-4o-mini-2024-07-18

    @property
    def dollars(self) -> float | None:
        return None if self.usd is None else float(self.usd)

    @property
    def micros(self) -> int | None:
        return round_micros(self.usd)

    @property
    def input_micros(self) -> int | None:
        return round_micros(self.input_usd)

    @property
    def output_micros(self) -> int | None:
        return round_micros(self.output_usd)

    @property
    def cache_micros(self) -> int | None:
        return round_micros(self.cache_usd)


_default_book: PriceBook | None = None


def default_book() -> PriceBook:
    """The packaged table without overrides (built once)."""
    global _default_book
    if _default_book is None:
        _default_book = PriceBook()
    return _default_book


def _book(overrides: PriceBook | Iterable[Mapping[str, Any]] | None) -> PriceBook:
    if overrides is None:
        return default_book()
    if isinstance(overrides, PriceBook):
        return overrides
    return PriceBook(overrides=overrides)


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_TOKENS:
        raise ValueError(f"{name} must be an integer between 0 and {_MAX_TOKENS}, got {value!r}")
    return value


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
    """Cost of one call. `input_tokens` includes cache reads/writes (GenAI semconv) and
    `output_tokens` includes reasoning tokens where the provider reports them so; `at` (aware)
    picks the price in force then, None the current price; `overrides` is a PriceBook or a
    project's override mappings."""
    book = _book(overrides)
    counts = [
        _count(v, name)
        for v, name in (
            (input_tokens, "input_tokens"),
            (output_tokens, "output_tokens"),
            (cache_read_tokens, "cache_read_tokens"),
            (cache_creation_tokens, "cache_creation_tokens"),
            (reasoning_tokens, "reasoning_tokens"),
        )
    ]
    inp, out, cache_read, cache_creation, reasoning = ([c] for c in counts)
    at_ns = None if at is None else [to_ns(at)]
    batch = price_encoded(book, [0], [(model, provider)], inp, out, cache_read, cache_creation, reasoning, at_ns)
    resolution = book.resolve(model, provider)
    seg = int(batch.segment[0])
    if batch.status[0] != PRICED:
        reason = batch.unpriced.get((model, provider or ""), resolution.reason or "no price in force")
        return CostResult(None, None, None, None, False, None, book.version, reason, None, resolution.provider,
                          family=resolution.family)  # fmt: skip
    applied = resolution.segment_at(None if at is None else to_ns(at))
    assert applied is not None  # priced means a segment was in force
    return CostResult(
        usd=usd(int(batch.pico[0])),
        input_usd=usd(int(batch.input_pico[0])),
        output_usd=usd(int(batch.output_pico[0])),
        cache_usd=usd(int(batch.cache_pico[0])),
        priced=True,
        price_id=batch.price_ids[seg],
        version=book.version,
        model=applied.model,
        provider=resolution.provider,
        matched_by=resolution.how(applied),
        family=resolution.family,
    )
