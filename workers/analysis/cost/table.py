"""The price table: PyFlare's pricing conventions and validated price entries in exact integer units.

The packaged table is `cost_prices.json` inside the `pyflare` SDK package — one file that the SDK
and the server both read, so a span costs the same wherever it is priced. Model prices come from
the genai-prices data set (`workers.analysis.cost.source`); the file holds provider names, name
rules, reasoning conventions and PyFlare's own entries. Prices are held as pico-dollars per token
(USD per million tokens x 10^6), so the arithmetic is exact integers.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from importlib.metadata import version as dist_version
from typing import Any

PACKAGE = "pyflare"
RESOURCE = "cost_prices.json"
PICO_PER_USD_PER_MTOK = 10**6  # $1 per million tokens = 1 micro-dollar per token = 10^6 pico-dollars per token
MAX_USD_PER_MTOK = 1000  # with token counts < 2^32 every product stays exact in int64
RATE_FIELDS = ("input", "output", "cache_read", "cache_write", "reasoning")


@dataclass(frozen=True, slots=True)
class Rates:
    """Pico-dollars per token. Missing cache prices are the input price, reasoning the output price."""

    input: int
    output: int
    cache_read: int
    cache_write: int
    reasoning: int


@dataclass(frozen=True, slots=True)
class PricePeriod:
    price_id: str  # "<model>@<effective_from|initial>", stable across table versions
    effective_from: datetime | None  # None: since the model was released
    effective_to: datetime | None  # exclusive; None: still in force
    rates: Rates
    tiers: tuple[tuple[int, Rates], ...] = ()  # (above_input_tokens, rates), ascending


@dataclass(frozen=True, slots=True)
class PriceEntry:
    model: str  # canonical name
    providers: tuple[str, ...]  # normalised provider names this price applies to; () = any provider
    aliases: tuple[str, ...]
    periods: tuple[PricePeriod, ...]  # sorted, non-overlapping
    reasoning_in_output: bool | None  # None (overrides only): as the table entry it overrides, else True
    kind: str = "chat"
    lighter_alternative: str | None = None
    source: str = ""
    as_of: str = ""
    note: str = ""
    origin: str = "table"  # "table" or "override"


@dataclass(frozen=True, slots=True)
class ProviderConvention:
    reasoning_in_output: bool = True
    deployment_names: bool = False  # model given as a free-form deployment name (Azure OpenAI)
    note: str = ""


@dataclass(frozen=True)
class PriceTable:
    version: str
    entries: tuple[PriceEntry, ...]
    name_rules: tuple[re.Pattern[str], ...]
    provider_aliases: Mapping[str, str]
    providers: Mapping[str, ProviderConvention]
    source_providers: Mapping[str, str] = field(default_factory=dict)  # PyFlare provider -> genai-prices id
    reasoning_apart: tuple[re.Pattern[str], ...] = ()  # models whose output excludes reasoning tokens
    lighter: Mapping[str, str] = field(default_factory=dict)  # model family -> lighter alternative
    use_source: bool = True  # price models the file does not list from genai-prices

    def reasoning_in_output(self, model: str) -> bool:
        return not any(rule.search(model) for rule in self.reasoning_apart)

    def family(self, model: str) -> str:
        """The model family: the name with every name rule applied (dates, versions, prefixes)."""
        name = model.strip().lower()
        for rule in self.name_rules:
            stripped = rule.sub("", name, count=1)
            if stripped:
                name = stripped
        return name

    def entry(self, model: str) -> PriceEntry:
        for e in self.entries:
            if e.model == model:
                return e
        raise KeyError(f"no price entry named {model!r}")


def to_pico(value: Any, what: str) -> int:
    """USD per million tokens (number or decimal string) -> exact pico-dollars per token."""
    try:
        d = Decimal(str(value)) * PICO_PER_USD_PER_MTOK
    except InvalidOperation:
        raise ValueError(f"{what}: price {value!r} is not a number") from None
    if d < 0 or d != d.to_integral_value() or d > MAX_USD_PER_MTOK * PICO_PER_USD_PER_MTOK:
        raise ValueError(
            f"{what}: price {value!r} must be between 0 and {MAX_USD_PER_MTOK} USD per million tokens "
            "with at most 6 decimals"
        )
    return int(d)


def parse_instant(value: Any, what: str) -> datetime | None:
    """ISO date (midnight UTC) or datetime; naive datetimes are read as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{what}: {value!r} is not an ISO date or datetime") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def parse_rates(raw: Mapping[str, Any], what: str, base: Rates | None = None) -> Rates:
    """Rates from a price mapping; unspecified cache/reasoning prices fall back to input/output."""
    if "input" not in raw or "output" not in raw:
        raise ValueError(f"{what}: 'input' and 'output' prices are required")
    inp = to_pico(raw["input"], f"{what}.input")
    out = to_pico(raw["output"], f"{what}.output")

    def opt(name: str, default: int) -> int:
        v = raw.get(name)
        return default if v is None else to_pico(v, f"{what}.{name}")

    return Rates(inp, out, opt("cache_read", inp), opt("cache_write", inp), opt("reasoning", out))


def period_id(model: str, start: datetime | None) -> str:
    if start is None:
        return f"{model}@initial"
    stamp = start.date().isoformat() if start.time() == datetime.min.time() else start.isoformat()
    return f"{model}@{stamp}"


def check_periods(model: str, periods: list[PricePeriod]) -> tuple[PricePeriod, ...]:
    """Sort by start and refuse overlaps, so one instant has at most one price."""
    lo = datetime.min.replace(tzinfo=UTC)
    hi = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(periods, key=lambda p: p.effective_from or lo)
    for p in ordered:
        if (p.effective_to or hi) <= (p.effective_from or lo):
            raise ValueError(f"{model}: period {p.price_id} ends before it starts")
    for a, b in itertools.pairwise(ordered):
        if (a.effective_to or hi) > (b.effective_from or lo):
            raise ValueError(f"{model}: price periods {a.price_id} and {b.price_id} overlap")
    return tuple(ordered)


def _parse_period(model: str, raw: Mapping[str, Any]) -> PricePeriod:
    start = parse_instant(raw.get("effective_from"), f"{model}.effective_from")
    end = parse_instant(raw.get("effective_to"), f"{model}.effective_to")
    pid = period_id(model, start)
    tiers = tuple(
        sorted(
            (int(t["above_input_tokens"]), parse_rates(t, f"{pid}.tiers[{i}]"))
            for i, t in enumerate(raw.get("tiers") or ())
        )
    )
    return PricePeriod(pid, start, end, parse_rates(raw, pid), tiers)


def parse_table(raw: Mapping[str, Any] | str | bytes) -> PriceTable:
    doc = json.loads(raw) if isinstance(raw, str | bytes) else raw
    conventions = {
        name: ProviderConvention(
            bool(c.get("reasoning_in_output", True)), bool(c.get("deployment_names", False)), str(c.get("note", ""))
        )
        for name, c in doc.get("providers", {}).items()
    }
    entries = []
    seen: set[str] = set()
    for m in doc["models"]:
        model = str(m["model"]).strip().lower()
        if model in seen:
            raise ValueError(f"price table lists {model!r} twice")
        seen.add(model)
        providers = tuple(m.get("providers") or ())
        default_rio = conventions.get(providers[0], ProviderConvention()).reasoning_in_output if providers else True
        entries.append(
            PriceEntry(
                model=model,
                providers=providers,
                aliases=tuple(a.strip().lower() for a in m.get("aliases", ())),
                periods=check_periods(model, [_parse_period(model, p) for p in m["prices"]]),
                reasoning_in_output=bool(m.get("reasoning_in_output", default_rio)),
                kind=str(m.get("kind", "chat")),
                lighter_alternative=m.get("lighter_alternative"),
                source=str(m.get("source", "")),
                as_of=str(m.get("as_of", "")),
                note=str(m.get("note", "")),
            )
        )
    use_source = "source_providers" in doc
    return PriceTable(
        version=str(doc["version"]) + (f"+genai-prices.{dist_version('genai-prices')}" if use_source else ""),
        entries=tuple(entries),
        name_rules=tuple(re.compile(r["strip"]) for r in doc.get("name_rules", ())),
        provider_aliases=dict(doc.get("provider_aliases", {})),
        providers=conventions,
        source_providers=dict(doc.get("source_providers", {}).get("map", {})),
        reasoning_apart=tuple(re.compile(r["match"]) for r in doc.get("reasoning_reported_apart", ())),
        lighter=dict(doc.get("lighter_alternatives", {})),
        use_source=use_source,
    )


def packaged_table_bytes() -> bytes:
    """The exact bytes of the packaged table (the SDK ships and reads the same file)."""
    return resources.files(PACKAGE).joinpath(RESOURCE).read_bytes()


@cache
def packaged_table() -> PriceTable:
    return parse_table(packaged_table_bytes())
