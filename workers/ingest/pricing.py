"""Cost at ingest: a BatchWriter wrapper that prices each spans batch before it is stored.

It fills `spans.cost_usd` (the exact cost, Decimal(38, 12) dollars, for the trace views; null when
the span has no usage or no price is known) and writes one
`costs` row per span with usage through the same writer (signal "costs"), in the same flush, so an
at-least-once re-delivery rewrites both. Each project is priced with the packaged table plus its
overrides from the control plane; those are re-read every `PYFLARE_PRICE_REFRESH_SECONDS` (Django is
set up on first use, so `pyflare ingest` pays for it only once and never without a control plane).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workers.analysis.cost import PRICED, UNPRICED, PriceBook, default_book
from workers.env import default_django_settings, env_str
from workers.ingest.ports import BatchWriter
from workers.storage.costs.priced import PricedBatch, price_usage
from workers.storage.costs.rows import usd_array
from workers.telemetry.batches import EmbeddingRecord

log = logging.getLogger("pyflare.ingest.pricing")

OverrideLoader = Callable[[], Mapping[str, Sequence[Mapping[str, Any]]]]
COSTS_SIGNAL = "costs"  # derived rows the sink stores in the `costs` table
_USAGE_COLUMNS = ["project", "start_time", "trace_id", "span_id", "model_id", "provider", "input_hash",
                  "input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens",
                  "reasoning_tokens", "user_id", "feature_id", "team", "environment"]  # fmt: skip
_WARNED_LIMIT = 1000


def dimension_keys_from_env() -> tuple[str, ...]:
    """PYFLARE_COST_DIMENSIONS: comma-separated span attribute keys kept as custom cost dimensions."""
    raw = env_str("PYFLARE_COST_DIMENSIONS", "")
    return tuple(dict.fromkeys(k.strip() for k in raw.split(",") if k.strip()))


def refresh_seconds_from_env() -> float:
    raw = env_str("PYFLARE_PRICE_REFRESH_SECONDS", "") or "30"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"PYFLARE_PRICE_REFRESH_SECONDS must be a number, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"PYFLARE_PRICE_REFRESH_SECONDS must be >= 0, got {raw!r}")
    return value


def control_plane_overrides() -> dict[str, list[dict[str, Any]]]:
    """Every project's price overrides from the control-plane database (sets Django up if needed)."""
    from django.apps import apps

    if not apps.ready:
        import django

        default_django_settings()
        django.setup()
    from webapp.costs.prices import overrides_by_project

    return overrides_by_project()


class ProjectBooks:
    """The PriceBook of each project, rebuilt only for projects whose overrides changed.

    Loading is retried at the next interval when it fails; until then the last books stay in use
    (at first: the packaged table), and the failure is logged.
    """

    def __init__(self, load: OverrideLoader | None = None, refresh_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self._load = load
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._books: dict[str, PriceBook] = {}
        self._sources: dict[str, str] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def book(self, project: str) -> PriceBook:
        if self._load is not None and (
            self._loaded_at is None or self._clock() - self._loaded_at >= self._refresh_seconds
        ):
            self.refresh()
        return self._books.get(project) or default_book()

    def refresh(self) -> None:
        if self._load is None:
            return
        with self._lock:
            self._loaded_at = self._clock()
            try:
                loaded = self._load()
            except Exception as exc:
                log.error("price overrides could not be loaded (%s: %s); keeping the previous prices",
                          type(exc).__name__, exc)  # fmt: skip
                return
            books: dict[str, PriceBook] = {}
            sources: dict[str, str] = {}
            for project, overrides in loaded.items():
                source = json.dumps(list(overrides), sort_keys=True, default=str)
                if not overrides:
                    continue
                sources[project] = source
                if self._sources.get(project) == source:
                    books[project] = self._books[project]
                    continue
                try:
                    books[project] = PriceBook(overrides=overrides)
                except ValueError as exc:  # validated on save; a bad row must not stop pricing
                    log.error("project %s: price overrides are invalid (%s); using the packaged table", project, exc)
                    sources.pop(project)
            self._books, self._sources = books, sources


@dataclass
class PricingStats:
    priced: int = 0
    unpriced: int = 0
    no_usage: int = 0
    unpriced_models: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (project, model, provider)


class SpanPricing:
    """Prices a spans batch: returns it with `cost_usd` filled, and its `costs` rows."""

    def __init__(self, books: ProjectBooks | None = None, dimension_keys: Sequence[str] = (),
                 clock_ns: Callable[[], int] = time.time_ns) -> None:  # fmt: skip
        self.books = books or ProjectBooks()
        self.dimension_keys = tuple(dimension_keys)
        self._clock_ns = clock_ns
        self.stats = PricingStats()

    @classmethod
    def from_env(cls, load: OverrideLoader | None = control_plane_overrides) -> SpanPricing:
        return cls(ProjectBooks(load, refresh_seconds_from_env()), dimension_keys_from_env())

    def price(self, spans: pa.Table) -> tuple[pa.Table, pa.Table | None]:
        n = spans.num_rows
        has_usage = pc.or_kleene(pc.is_valid(spans["input_tokens"]), pc.is_valid(spans["output_tokens"]))
        usage_rows = pc.sum(has_usage).as_py() or 0
        self.stats.no_usage += n - usage_rows
        if usage_rows == 0:
            return spans, None
        usage = spans.select([*_USAGE_COLUMNS, "attributes"])  # dimensions and gen_ai.response.id
        if usage_rows < n:
            usage = usage.filter(has_usage)
        priced = price_usage(usage, self.books.book, self.dimension_keys, self._clock_ns())
        self._count(priced)
        if usage_rows == n:
            cost = usd_array(priced.total_pico, priced.status == PRICED)
        else:  # scatter back: rows without usage stay null
            positions = np.flatnonzero(has_usage.to_numpy(zero_copy_only=False))
            values = np.zeros(n, dtype=np.int64)
            valid = np.zeros(n, dtype=bool)
            values[positions] = priced.total_pico
            valid[positions] = priced.status == PRICED
            cost = usd_array(values, valid)
        index = spans.schema.get_field_index("cost_usd")
        return spans.set_column(index, spans.schema.field(index), cost), priced.costs

    def _count(self, priced: PricedBatch) -> None:
        self.stats.priced += priced.count(PRICED)
        self.stats.unpriced += priced.count(UNPRICED)
        for key, count in priced.unpriced_counts.items():
            first = key not in self.stats.unpriced_models
            if first and len(self.stats.unpriced_models) >= _WARNED_LIMIT:
                continue
            self.stats.unpriced_models[key] = self.stats.unpriced_models.get(key, 0) + count
            if first:
                log.warning("project %s: %d span(s) of model %r (provider %r) are unpriced and stored without a "
                            "cost: %s", *key[:1], count, *key[1:], priced.unpriced.get(key, ""))  # fmt: skip


class PricingWriter:
    """BatchWriter: prices `traces` batches, then writes them and their costs rows through `inner`."""

    def __init__(self, inner: BatchWriter, pricing: SpanPricing) -> None:
        self._inner = inner
        self.pricing = pricing

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        if signal != "traces" or table.num_rows == 0:
            self._inner.write(signal, table, embeddings)
            return
        spans, costs = self.pricing.price(table)
        self._inner.write(signal, spans, embeddings)
        if costs is not None and costs.num_rows:
            self._inner.write(COSTS_SIGNAL, costs, ())
