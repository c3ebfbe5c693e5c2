"""The packaged pricing conventions (`cost_prices.json`) and name matching, in plain Python.

Model prices come from genai-prices (`pyflare.cost_source`); this file says how spans are read:
provider names (`provider_aliases`, `source_providers`), name rules, which models report
reasoning apart, and PyFlare's own entries. The PyFlare server applies the same file the same way.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.metadata import version as dist_version
from typing import Any

RESOURCE = "cost_prices.json"
_MAX_PICO = 1000 * 10**6  # $1000 per million tokens
_BOUNDARY = "[a-z0-9.]"

Rates = tuple[
    int, int, int, int, int
]  # pico-dollars per token: input, output, cache_read, cache_write, reasoning


@dataclass(frozen=True)
class Period:
    price_id: str
    start: datetime | None  # None: since release
    end: datetime | None  # exclusive; None: still in force
    rates: Rates
    tiers: tuple[tuple[int, Rates], ...]

    def covers(self, at: datetime) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at < self.end)


@dataclass(frozen=True)
class Entry:
    model: str
    providers: tuple[str, ...]  # () = any provider
    aliases: tuple[str, ...]
    periods: tuple[Period, ...]
    reasoning_in_output: bool | None
    override: bool = False


def pico(value: Any) -> int:
    """USD per million tokens -> pico-dollars per token, exactly."""
    d = Decimal(str(value)) * 10**6
    if d < 0 or d > _MAX_PICO or d != d.to_integral_value():
        raise ValueError(f"price {value!r} must be 0..1000 USD per million tokens with at most 6 decimals")
    return int(d)


def instant(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def period_id(model: str, start: datetime | None) -> str:
    if start is None:
        return f"{model}@initial"
    midnight = start.hour == start.minute == start.second == start.microsecond == 0
    return f"{model}@{start.date().isoformat() if midnight else start.isoformat()}"


def rates(raw: Mapping[str, Any]) -> Rates:
    i, o = pico(raw["input"]), pico(raw["output"])
    get = raw.get
    return (
        i, o,
        i if get("cache_read") is None else pico(raw["cache_read"]),
        i if get("cache_write") is None else pico(raw["cache_write"]),
        o if get("reasoning") is None else pico(raw["reasoning"]),
    )  # fmt: skip


def ordered(periods: Iterable[Period], what: str) -> tuple[Period, ...]:
    result = sorted(periods, key=lambda p: p.start or datetime.min.replace(tzinfo=UTC))
    for p in result:
        if p.start and p.end and p.end <= p.start:
            raise ValueError(f"{what}: period {p.price_id} ends before it starts")
    for a, b in itertools.pairwise(result):
        if a.end is None or b.start is None or a.end > b.start:
            raise ValueError(f"{what}: price periods {a.price_id} and {b.price_id} overlap")
    return tuple(result)


class PriceTable:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.use_source = "source_providers" in doc
        source = f"+genai-prices.{dist_version('genai-prices')}" if self.use_source else ""
        self.version: str = doc["version"] + source
        self.source_providers: dict[str, str] = dict(doc.get("source_providers", {}).get("map", {}))
        self.reasoning_apart = [re.compile(r["match"]) for r in doc.get("reasoning_reported_apart", ())]
        self.rules = [re.compile(r["strip"]) for r in doc.get("name_rules", ())]
        self.provider_aliases: dict[str, str] = dict(doc.get("provider_aliases", {}))
        self.conventions: dict[str, Mapping[str, Any]] = dict(doc.get("providers", {}))
        self.entries: list[Entry] = []
        for m in doc["models"]:
            name = m["model"].strip().lower()
            providers = tuple(m.get("providers") or ())
            rio = m.get("reasoning_in_output")
            if rio is None:
                rio = (
                    self.conventions.get(providers[0], {}).get("reasoning_in_output", True)
                    if providers
                    else True
                )
            periods = []
            for p in m["prices"]:
                start = instant(p.get("effective_from"))
                tiers = tuple(sorted((int(t["above_input_tokens"]), rates(t)) for t in p.get("tiers") or ()))
                periods.append(
                    Period(period_id(name, start), start, instant(p.get("effective_to")), rates(p), tiers)
                )
            self.entries.append(
                Entry(
                    name,
                    providers,
                    tuple(a.lower() for a in m.get("aliases", ())),
                    ordered(periods, name),
                    rio,
                )
            )
        self.index = index(self.entries)

    def provider(self, raw: str | None) -> str | None:
        if not raw or not raw.strip():
            return None
        lowered = raw.strip().lower()
        return self.provider_aliases.get(lowered.replace(" ", "_").replace("-", "_"), lowered)

    def family(self, model: str) -> str:
        """Model family: every name rule applied in turn (gpt-4o-mini-2024-07-18 -> gpt-4o-mini)."""
        name = model.strip().lower()
        for rule in self.rules:
            name = rule.sub("", name, count=1) or name
        return name

    def candidates(self, model: str) -> list[str]:
        names = [model.strip().lower()]
        for rule in self.rules:
            stripped = rule.sub("", names[-1], count=1)
            if stripped and stripped != names[-1]:
                names.append(stripped)
        return names

    def deployment(self, model: str, provider: str | None) -> Entry | None:
        """Azure-style deployment names: the longest known model name inside the given name."""
        if not self.conventions.get(provider or "", {}).get("deployment_names"):
            return None
        lowered = model.strip().lower()
        best = None
        for name, entries in self.index.items():
            if pick(entries, provider) is None or (best is not None and len(name) <= len(best)):
                continue
            if re.search(f"(?<!{_BOUNDARY}){re.escape(name)}(?!{_BOUNDARY})", lowered):
                best = name
        return pick(self.index[best], provider) if best else None


def index(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for e in entries:
        for name in (e.model, *e.aliases):
            out.setdefault(name, []).append(e)
    return out


def pick(entries: list[Entry], provider: str | None) -> Entry | None:
    if provider is None:
        return entries[0]
    for e in entries:
        if provider in e.providers:
            return e
    return next((e for e in entries if not e.providers), None)


def find(
    idx: Mapping[str, list[Entry]], names: list[str], provider: str | None
) -> tuple[Entry | None, set[str]]:
    """First entry for the most specific name; otherwise the providers the name is priced for."""
    listed: set[str] = set()
    for name in names:
        entries = idx.get(name)
        if entries:
            chosen = pick(entries, provider)
            if chosen is not None:
                return chosen, set()
            listed.update(p for e in entries for p in e.providers)
    return None, listed


@cache
def packaged() -> PriceTable:
    return PriceTable(json.loads(resources.files("pyflare").joinpath(RESOURCE).read_bytes()))
