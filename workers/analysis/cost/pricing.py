"""Vectorised pricing of a batch of spans: the ingest hot path and `pyflare reprice`.

Names are resolved once per distinct (model, provider) — in Python, cached on the PriceBook —
and everything per span is numpy integer arithmetic on pico-dollars. Prices are whole pico-dollars
per token, so every component (uncached input, cache read, cache write, visible output, reasoning)
is exact: nothing is rounded before it is summed (storage keeps 12 decimals of a dollar).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workers.analysis.cost.book import NS_MAX, NS_MIN, PriceBook, Resolution, from_ns

PRICED, NO_USAGE, UNPRICED = 0, 1, 2  # status per span


@dataclass
class BatchCost:
    """Per-span exact costs in pico-dollars (int64); zero where status is not PRICED (store as NULL)."""

    pico: np.ndarray
    input_pico: np.ndarray  # uncached input
    output_pico: np.ndarray  # visible output + reasoning
    cache_pico: np.ndarray  # cache read + cache write
    status: np.ndarray  # uint8: PRICED, NO_USAGE (no token counts), UNPRICED (tokens but no price)
    segment: np.ndarray  # index into price_ids, -1 when not priced
    price_ids: list[str]
    unpriced: dict[tuple[str, str], str] = field(default_factory=dict)  # (model, provider) -> reason

    @property
    def priced(self) -> np.ndarray:
        return self.status == PRICED

    def count(self, status: int) -> int:
        return int(np.count_nonzero(self.status == status))


class _Rows:
    """Every price segment of the batch's distinct keys as columns; row -1 is an all-zero sentinel."""

    def __init__(self, resolutions: Sequence[Resolution], timed: bool) -> None:
        rates: list[tuple[int, int, int, int, int]] = []
        thr: list[int] = []
        nxt: list[int] = []
        rio: list[bool] = []
        self.price_ids: list[str] = []
        self.default = np.full(len(resolutions) + 1, -1, dtype=np.int64)  # +1: codes may be empty
        self.by_time: list[tuple[int, np.ndarray, np.ndarray, int]] = []  # (key, starts, ends, first row)

        def add(r: Any, price_id: str, reasoning_in_output: bool) -> int:
            rates.append((r.input, r.output, r.cache_read, r.cache_write, r.reasoning))
            thr.append(-1)
            nxt.append(-1)
            rio.append(reasoning_in_output)
            self.price_ids.append(price_id)
            return len(rates) - 1

        for k, res in enumerate(resolutions):
            segs = res.segments
            if not segs:
                continue
            first = len(rates)
            for s in segs:
                add(s.rates, s.price_id, s.reasoning_in_output)
            for i, s in enumerate(segs):
                row = first + i
                for above, tier_rates in s.tiers:  # chained: row -> tier 1 -> tier 2 ...
                    thr[row] = above
                    nxt[row] = add(tier_rates, f"{s.price_id}>{above}", s.reasoning_in_output)
                    row = nxt[row]
            if len(segs) == 1 and segs[0].start_ns == NS_MIN and segs[0].end_ns == NS_MAX:
                self.default[k] = first
            elif not timed:
                current = res.segment_at(None)
                self.default[k] = first + segs.index(current) if current else -1
            else:
                starts = np.array([s.start_ns for s in segs], dtype=np.int64)
                ends = np.array([s.end_ns for s in segs], dtype=np.int64)
                self.by_time.append((k, starts, ends, first))
        rates.append((0, 0, 0, 0, 0))
        thr.append(-1)
        nxt.append(-1)
        rio.append(True)
        self.rates = np.array(rates, dtype=np.int64).T.copy()  # 5 x rows, contiguous per column
        self.thr = np.array(thr, dtype=np.int64)
        self.nxt = np.array(nxt, dtype=np.int64)
        self.rio = np.array(rio, dtype=bool)
        self.max_tiers = max((len(s.tiers) for r in resolutions for s in r.segments), default=0)


def _tokens(values: Any, n: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """int64 counts and a presence mask; a missing column and None/NaN (null) count as absent."""
    if values is None:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    a = np.asarray(values)
    if a.dtype == object:
        a = np.array(values, dtype=np.float64)
    present = np.ones(a.shape, dtype=bool)
    if a.dtype.kind == "f":
        present = ~np.isnan(a)
        a = np.where(present, a, 0)
    a = a.astype(np.int64, copy=False)
    if a.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got shape {a.shape}")
    if n and (a.min() < 0 or a.max() >= 2**32):  # UInt32 columns; keeps every product exact in int64
        raise ValueError(f"{name}: token counts must be between 0 and 2**32 - 1")
    return a, present


def _times(at_ns: Any, n: int) -> np.ndarray:
    a = np.asarray(at_ns)
    if a.dtype.kind == "M":
        a = a.astype("datetime64[ns]").view(np.int64)
    a = a.astype(np.int64, copy=False)
    if a.shape != (n,):
        raise ValueError(f"at_ns: expected {n} values, got shape {a.shape}")
    return a


def price_encoded(
    book: PriceBook,
    codes: Any,
    keys: Sequence[tuple[str, str | None]],
    input_tokens: Any,
    output_tokens: Any,
    cache_read_tokens: Any = None,
    cache_creation_tokens: Any = None,
    reasoning_tokens: Any = None,
    at_ns: Any = None,
) -> BatchCost:
    """Price spans whose (model, provider) is `keys[codes[i]]` — e.g. an Arrow dictionary encoding.

    Token arguments are arrays or sequences (None/NaN = null); `at_ns` is the span start time in
    epoch nanoseconds (or datetime64), None prices everything at the current price.
    From the normalised span columns: keys <- (model_id, provider); input_tokens (semconv: includes
    cache reads and writes), output_tokens (includes reasoning where the provider counts it so),
    cache_read_tokens, cache_creation_tokens, reasoning_tokens; at_ns <- start_time. For the
    `costs` table (exact dollars): input_cost_usd = input_pico + cache_pico, output_cost_usd = output_pico.
    """
    codes = np.asarray(codes, dtype=np.int64)
    n = len(codes)
    inp, in_present = _tokens(input_tokens, n, "input_tokens")
    out, out_present = _tokens(output_tokens, n, "output_tokens")
    cr, _ = _tokens(cache_read_tokens, n, "cache_read_tokens")
    cw, _ = _tokens(cache_creation_tokens, n, "cache_creation_tokens")
    rs, _ = _tokens(reasoning_tokens, n, "reasoning_tokens")
    resolutions = [book.resolve(m, p) for m, p in keys]
    rows = _Rows(resolutions, timed=at_ns is not None)
    seg = rows.default[codes] if n else np.zeros(0, dtype=np.int64)
    unpriced: dict[tuple[str, str], str] = {}
    if rows.by_time:
        times = _times(at_ns, n)
        for k, starts, ends, first in rows.by_time:
            idx = np.flatnonzero(codes == k)
            if not len(idx):
                continue
            t = times[idx]
            j = np.searchsorted(starts, t, side="right") - 1
            ok = (j >= 0) & (t < ends[np.maximum(j, 0)])
            seg[idx] = np.where(ok, first + j, -1)
            if not ok.all():
                m, p = keys[k]
                when = from_ns(int(t[~ok][0])).isoformat()
                unpriced[(m, p or "")] = f"no price for model {m!r} was in force at {when}"

    # Semconv: input includes cache reads and writes. Counts where it cannot (input < cached)
    # follow the raw Anthropic convention (input excludes them) and are taken as they are.
    cached = cr + cw
    includes_cache = inp >= cached
    uncached = np.where(includes_cache, inp - cached, inp)
    total_in = uncached + cached
    for _ in range(rows.max_tiers):
        thr = rows.thr[seg]
        up = (thr >= 0) & (total_in > thr)
        if not up.any():
            break
        seg = np.where(up, rows.nxt[seg], seg)

    # Reasoning is part of output where the provider reports it so — unless it exceeds output.
    in_output = rows.rio[seg] & (rs <= out)
    visible = np.where(in_output, out - rs, out)
    r_in, r_out, r_cr, r_cw, r_rs = (col[seg] for col in rows.rates)
    input_pico = uncached * r_in
    cache_pico = cr * r_cr + cw * r_cw
    output_pico = visible * r_out + rs * r_rs

    # A span with no token count at all (HTTP, retrieval...) is not an LLM call to price; one with
    # only input (embeddings) or only output is.
    has_usage = in_present | out_present
    status = np.where(has_usage, np.where(seg >= 0, PRICED, UNPRICED), NO_USAGE).astype(np.uint8)
    off = status != PRICED
    for arr in (input_pico, cache_pico, output_pico):
        arr[off] = 0
    seg = np.where(off, -1, seg)
    for k in np.unique(codes[status == UNPRICED]):
        m, p = keys[int(k)]
        unpriced.setdefault((m, p or ""), resolutions[int(k)].reason or f"no price for model {m!r} is in force now")
    return BatchCost(
        input_pico + cache_pico + output_pico,
        input_pico,
        output_pico,
        cache_pico,
        status,
        seg,
        rows.price_ids,
        unpriced,
    )


def price_batch(
    book: PriceBook,
    models: Sequence[str],
    providers: Sequence[str | None] | None,
    input_tokens: Any,
    output_tokens: Any,
    cache_read_tokens: Any = None,
    cache_creation_tokens: Any = None,
    reasoning_tokens: Any = None,
    at_ns: Any = None,
) -> BatchCost:
    """Price parallel columns of spans (model and provider as Python sequences)."""
    keymap: dict[tuple[str, str | None], int] = {}
    if providers is None:
        providers = [None] * len(models)
    codes = np.fromiter(
        (keymap.setdefault(k, len(keymap)) for k in zip(models, providers, strict=True)),
        dtype=np.int64,
        count=len(models),
    )
    return price_encoded(
        book,
        codes,
        list(keymap),
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_creation_tokens,
        reasoning_tokens,
        at_ns,
    )
