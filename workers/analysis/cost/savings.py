"""Savings recommendations from cost aggregates, each with the numbers it rests on.

The storage layer supplies the aggregates (`RepeatedPrompt`, `ModelUsage`); prices come from the
PriceBook, so a project's overrides are honoured. Two kinds:
  - cache_repeated_prompt: the same input (hash) sent many times — every repeat after the first
    could be answered from a response cache: saving = total cost x (count - 1) / count.
  - cheaper_model: a model with a lighter sibling in the price table (same provider) whose calls
    are short (median input and output tokens under thresholds): the same token volumes priced
    at the lighter model's current rates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from workers.analysis.cost.book import PriceBook, Segment, to_ns
from workers.analysis.cost.table import PICO_PER_USD_PER_MTOK


@dataclass(frozen=True)
class RepeatedPrompt:
    input_hash: str
    model: str
    provider: str
    count: int  # calls with this exact input
    total_cost_micros: int
    preview: str = ""


@dataclass(frozen=True)
class ModelUsage:
    model: str
    provider: str
    requests: int
    total_cost_micros: int  # as stored (what was charged)
    input_tokens: int  # totals over the window; input includes cache reads/writes
    output_tokens: int
    median_input_tokens: float
    median_output_tokens: float
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    reasoning_tokens: int = 0


@dataclass(frozen=True)
class Recommendation:
    kind: str  # "cache_repeated_prompt" | "cheaper_model"
    title: str
    detail: str  # one or two sentences stating the numbers
    saving_micros: int
    evidence: dict[str, int | float | str] = field(default_factory=dict)


def _round_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half up (non-negative operands)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _usd(micros: int) -> str:
    return f"${micros / 1_000_000:,.2f}"


def caching(prompts: Iterable[RepeatedPrompt], min_repeats: int = 3, min_saving_micros: int = 10_000,
            limit: int = 10) -> list[Recommendation]:  # fmt: skip
    out = []
    for p in prompts:
        if p.count < min_repeats or p.total_cost_micros <= 0:
            continue
        saving = _round_div(p.total_cost_micros * (p.count - 1), p.count)
        if saving < min_saving_micros:
            continue
        average = _round_div(p.total_cost_micros, p.count)
        out.append(Recommendation(
            "cache_repeated_prompt",
            f"Cache responses to a prompt sent {p.count} times to {p.model}",
            f"The same input (hash {p.input_hash[:12]}) was sent {p.count} times for {_usd(p.total_cost_micros)} "
            f"in total ({_usd(average)} per call); answering the {p.count - 1} repeats from a cache would save "
            f"about {_usd(saving)}, if identical inputs may get identical answers.",
            saving,
            {"input_hash": p.input_hash, "model": p.model, "provider": p.provider, "count": p.count,
             "total_cost_micros": p.total_cost_micros, "average_cost_micros": average,
             "avoidable_calls": p.count - 1, "preview": p.preview},
        ))  # fmt: skip
    return sorted(out, key=lambda r: -r.saving_micros)[:limit]


def _estimate(segment: Segment, u: ModelUsage) -> int:
    """The usage's token totals at a segment's base rates (short calls stay below any tier)."""
    r = segment.rates
    cached = u.cache_read_tokens + u.cache_creation_tokens
    uncached = u.input_tokens - cached if u.input_tokens >= cached else u.input_tokens
    in_output = segment.reasoning_in_output and u.reasoning_tokens <= u.output_tokens
    visible = u.output_tokens - u.reasoning_tokens if in_output else u.output_tokens
    pico = (uncached * r.input + u.cache_read_tokens * r.cache_read + u.cache_creation_tokens * r.cache_write
            + visible * r.output + u.reasoning_tokens * r.reasoning)  # fmt: skip
    return _round_div(pico, PICO_PER_USD_PER_MTOK)


def _per_mtok(pico: int) -> float:
    return pico / PICO_PER_USD_PER_MTOK


def cheaper_models(
    usages: Iterable[ModelUsage],
    book: PriceBook,
    max_median_input_tokens: float = 1000,
    max_median_output_tokens: float = 300,
    min_saving_micros: int = 10_000,
    at: datetime | None = None,
) -> list[Recommendation]:
    at_ns = None if at is None else to_ns(at)
    out = []
    for u in usages:
        if u.median_input_tokens > max_median_input_tokens or u.median_output_tokens > max_median_output_tokens:
            continue
        current = book.resolve(u.model, u.provider).segment_at(at_ns)
        if current is None:
            continue
        lighter_name = book.table.lighter.get(book.table.family(current.model))
        if not lighter_name:  # a custom model has no sibling in the table
            continue
        lighter = book.resolve(lighter_name, u.provider).segment_at(at_ns)
        if lighter is None:  # not priced for this provider
            continue
        now_cost, alt_cost = _estimate(current, u), _estimate(lighter, u)
        saving = now_cost - alt_cost
        if saving < min_saving_micros:
            continue
        share = saving / now_cost * 100
        out.append(Recommendation(
            "cheaper_model",
            f"Try {lighter_name} for short calls now sent to {u.model}",
            f"{u.requests} calls to {u.model} had a median of {u.median_input_tokens:g} input and "
            f"{u.median_output_tokens:g} output tokens (thresholds {max_median_input_tokens:g}/"
            f"{max_median_output_tokens:g}). Their {u.input_tokens:,} input and {u.output_tokens:,} output tokens "
            f"cost {_usd(now_cost)} at {current.price_id} and would cost {_usd(alt_cost)} at {lighter.price_id}: "
            f"about {_usd(saving)} ({share:.0f} %) less, if {lighter_name} answers them well enough.",
            saving,
            {"model": u.model, "provider": u.provider, "alternative": lighter_name, "requests": u.requests,
             "median_input_tokens": u.median_input_tokens, "median_output_tokens": u.median_output_tokens,
             "input_tokens": u.input_tokens, "output_tokens": u.output_tokens,
             "cache_read_tokens": u.cache_read_tokens, "cache_creation_tokens": u.cache_creation_tokens,
             "reasoning_tokens": u.reasoning_tokens, "observed_cost_micros": u.total_cost_micros,
             "estimated_cost_micros": now_cost, "alternative_cost_micros": alt_cost,
             "price_id": current.price_id, "alternative_price_id": lighter.price_id,
             "input_usd_per_mtok": _per_mtok(current.rates.input),
             "output_usd_per_mtok": _per_mtok(current.rates.output),
             "alternative_input_usd_per_mtok": _per_mtok(lighter.rates.input),
             "alternative_output_usd_per_mtok": _per_mtok(lighter.rates.output)},
        ))  # fmt: skip
    return sorted(out, key=lambda r: -r.saving_micros)


def recommend(
    prompts: Iterable[RepeatedPrompt], usages: Iterable[ModelUsage], book: PriceBook, at: datetime | None = None
) -> list[Recommendation]:
    """Both kinds with default thresholds, largest saving first."""
    found = caching(prompts) + cheaper_models(usages, book, at=at)
    return sorted(found, key=lambda r: -r.saving_micros)
