"""PriceBook: the packaged table plus a project's overrides, answering "which price, when?".

Precedence: a matching project override wins over the packaged table wherever its periods are in
force (an override for gpt-4o also covers gpt-4o-2024-05-13); outside them the packaged price
applies. Within each source names are matched most specific first (exact or alias, then each name
rule in turn); a provider hint must be one the price is listed for, no hint matches any provider.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from workers.analysis.cost import source
from workers.analysis.cost.names import contained_name, name_candidates, normalise_provider
from workers.analysis.cost.overrides import parse_overrides
from workers.analysis.cost.table import PriceEntry, PriceTable, Rates, packaged_table

NS_MIN = -(2**63)
NS_MAX = 2**63 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RESOLVED_LIMIT = 10_000  # distinct (model, provider) pairs remembered per book


def to_ns(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError(f"timestamp {at.isoformat()} has no timezone; pass an aware datetime (UTC)")
    return (at - _EPOCH) // timedelta(microseconds=1) * 1000


def from_ns(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


@dataclass(frozen=True, slots=True)
class Segment:
    """One price in force over [start_ns, end_ns) for one resolved model."""

    start_ns: int
    end_ns: int
    price_id: str
    rates: Rates
    tiers: tuple[tuple[int, Rates], ...]
    reasoning_in_output: bool
    model: str  # canonical name of the entry the price comes from
    origin: str  # "table" | "override"


@dataclass(frozen=True, slots=True)
class Resolution:
    model: str  # as given
    provider: str | None  # normalised hint
    segments: tuple[Segment, ...]  # sorted, non-overlapping; () = unpriced
    matched_by: str = ""  # how the packaged table entry was found ('' = not found)
    override_matched_by: str = ""  # how the project override was found ('' = none)
    reason: str = ""  # why unpriced
    family: str = ""  # model family (table.family of the matched model, else of the name given)

    def how(self, segment: Segment) -> str:
        return f"override ({self.override_matched_by})" if segment.origin == "override" else self.matched_by

    def segment_at(self, at_ns: int | None) -> Segment | None:
        """The price in force at `at_ns`; None -> the current (open-ended) price."""
        if at_ns is None:
            open_ = [s for s in self.segments if s.end_ns == NS_MAX]
            return open_[-1] if open_ else None
        for s in self.segments:
            if s.start_ns <= at_ns < s.end_ns:
                return s
        return None


def _segments(entry: PriceEntry, inherited_rio: bool | None) -> list[Segment]:
    rio = entry.reasoning_in_output if entry.reasoning_in_output is not None else inherited_rio
    return [
        Segment(
            to_ns(p.effective_from) if p.effective_from else NS_MIN,
            to_ns(p.effective_to) if p.effective_to else NS_MAX,
            p.price_id,
            p.rates,
            p.tiers,
            True if rio is None else rio,
            entry.model,
            entry.origin,
        )
        for p in entry.periods
    ]


def overlay(base: list[Segment], top: list[Segment]) -> list[Segment]:
    """`top` wins where it is in force; `base` fills the gaps."""
    out = list(top)
    for b in base:
        pieces = [(b.start_ns, b.end_ns)]
        for t in top:
            cut = []
            for s, e in pieces:
                if t.end_ns <= s or t.start_ns >= e:
                    cut.append((s, e))
                    continue
                if s < t.start_ns:
                    cut.append((s, t.start_ns))
                if t.end_ns < e:
                    cut.append((t.end_ns, e))
            pieces = cut
        out += [replace(b, start_ns=s, end_ns=e) for s, e in pieces]
    return sorted(out, key=lambda seg: seg.start_ns)


def _index(entries: Iterable[PriceEntry]) -> dict[str, list[PriceEntry]]:
    index: dict[str, list[PriceEntry]] = {}
    for e in entries:
        for name in (e.model, *e.aliases):
            index.setdefault(name, []).append(e)
    return index


def _pick(candidates: list[PriceEntry], provider: str | None) -> PriceEntry | None:
    """Provider-specific entries before provider-agnostic ones; file order otherwise."""
    if provider is None:
        return candidates[0]
    specific = [e for e in candidates if provider in e.providers]
    return specific[0] if specific else next((e for e in candidates if not e.providers), None)


class PriceBook:
    """Immutable; build a new one when a project's overrides change (resolutions are cached)."""

    def __init__(self, table: PriceTable | None = None, overrides: Iterable[Mapping[str, Any]] = ()) -> None:
        self.table = table or packaged_table()
        overrides = [dict(o) for o in overrides]
        self.overrides = parse_overrides(overrides, self.table)
        self._index = _index(self.table.entries)
        self._override_index = _index(self.overrides)
        digest = hashlib.sha256(json.dumps(overrides, sort_keys=True, default=str).encode()).hexdigest()[:12]
        self.version = self.table.version + (f"+overrides.{digest}" if overrides else "")
        self._resolved: dict[tuple[str, str | None], Resolution] = {}

    def resolve(self, model: str | None, provider: str | None = None) -> Resolution:
        key = (model or "", provider)
        done = self._resolved.get(key)
        if done is None:
            done = self._resolve(model or "", provider)
            if len(self._resolved) < _RESOLVED_LIMIT:
                self._resolved[key] = done
        return done

    def _find(
        self, index: dict[str, list[PriceEntry]], candidates: list[tuple[str, str]], provider: str | None
    ) -> tuple[PriceEntry | None, str, list[PriceEntry]]:
        """First entry matching a candidate name; also the entries that matched by name only."""
        name_only: list[PriceEntry] = []
        for name, how in candidates:
            found = index.get(name)
            if found:
                entry = _pick(found, provider)
                if entry is not None:
                    return entry, _how(entry, name, how), []
                name_only += found
        return None, "", name_only

    def _resolve(self, model: str, provider_raw: str | None) -> Resolution:
        provider = normalise_provider(provider_raw, self.table.provider_aliases)
        if not model.strip():
            return Resolution(model, provider, (), reason="the span has token usage but no model name", family="")
        candidates = name_candidates(model, self.table.name_rules)
        entry, how, name_only = self._find(self._index, candidates, provider)
        convention = self.table.providers.get(provider or "")
        if entry is None and convention is not None and convention.deployment_names:
            name = contained_name(model, (n for n, es in self._index.items() if _pick(es, provider)))
            if name is not None:
                entry, how = _pick(self._index[name], provider), f"deployment name contains {name}"
        source_reason = ""
        if entry is None and self.table.use_source:
            entry, how, source_reason = self._from_source(model, provider, candidates)
        override, o_how, o_name_only = self._find(self._override_index, candidates, provider)
        segments = _segments(entry, None) if entry else []
        if override is not None:
            inherited = entry.reasoning_in_output if entry else None
            segments = overlay(segments, _segments(override, inherited))
        if segments:
            matched = entry.model if entry is not None else override.model if override is not None else model
            return Resolution(model, provider, tuple(segments), how, o_how, family=self.table.family(matched))
        listed = sorted({p for e in name_only + o_name_only for p in e.providers})
        if source_reason:
            reason = source_reason
        elif listed:
            reason = (
                f"model {model!r} is priced for provider(s) {', '.join(listed)}, not {provider!r}; "
                "add a project price override for this provider"
            )
        else:
            reason = (
                f"model {model!r} (provider {provider or 'unknown'}) is not in price table {self.table.version} "
                "and has no project override"
            )
        return Resolution(model, provider, (), reason=reason, family=self.table.family(model))


    def _from_source(
        self, model: str, provider: str | None, candidates: list[tuple[str, str]]
    ) -> tuple[PriceEntry | None, str, str]:
        """(entry, how it matched, why not) from genai-prices: the name as given, then each name rule."""
        source_id = None
        if provider is not None:
            source_id = self.table.source_providers.get(provider) or source.source_provider(provider)
            if source_id is None:
                return None, "", (
                    f"provider {provider!r} has no published prices in {source.SOURCE_VERSION}; "
                    "add a project price override for this model"
                )
        found = source.find(tuple(name for name, _ in candidates), source_id)
        convention = self.table.providers.get(provider or "")
        if found is None and source_id is not None and convention is not None and convention.deployment_names:
            found = source.find_in_deployment(model, source_id)
        if found is None:
            return None, "", (
                f"model {model!r} (provider {provider or 'unknown'}) is not in {source.SOURCE_VERSION} "
                f"nor in price table {self.table.version.split('+')[0]}, and has no project override"
            )
        provider_id, model_id, name = found
        entry = source.source_entry(provider_id, model_id, self.table.reasoning_in_output(model_id.lower()))
        if entry is None:
            return None, "", (
                f"model {model!r} is priced by {source.SOURCE_VERSION} in units a span does not carry "
                "(characters, seconds, requests)"
            )
        how = "genai-prices" + ("" if name == candidates[0][0] else f" via {name}")
        return entry, f"{how} -> {provider_id}:{model_id}", ""


def _how(entry: PriceEntry, name: str, how: str) -> str:
    if how != "exact":
        return f"{how} -> {name}"
    return "exact" if name == entry.model else f"alias of {entry.model}"
