"""The vectorised batch path prices every span exactly as the SDK's independent single-call code does."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from pyflare.cost import calculate_cost as sdk_calculate_cost
from tests.analysis.cost.prices import pico
from workers.analysis.cost import NO_USAGE, PRICED, UNPRICED, PriceBook, price_batch, price_encoded
from workers.analysis.cost.book import to_ns

MIX = [
    ("gpt-4o-2024-08-06", "openai"), ("gpt-4o", "openai"), ("gpt-4o-mini", "azure.ai.openai"),
    ("o3", "openai"), ("claude-sonnet-4-5-20250929", "anthropic"), ("claude-3-5-haiku-20241022", "anthropic"),
    ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "aws.bedrock"), ("gemini-2.5-pro", "gcp.gemini"),
    ("models/gemini-1.5-flash-002", "gcp.gemini"), ("mistral-small-latest", "mistral_ai"),
    ("unknown-model", "openai"), ("", ""), ("claude-haiku-4-5", "aws.bedrock"),
]  # fmt: skip


def test_batch_equals_the_sdk_over_a_random_mix() -> None:
    rng = random.Random(7)
    n = 3000
    rows = []
    start = datetime(2024, 6, 1, tzinfo=UTC)
    for _ in range(n):
        model, provider = rng.choice(MIX)
        inp = rng.choice([0, 12, 900, 4000, 150_000, 250_000])
        cr = rng.randint(0, inp)
        cw = rng.randint(0, inp - cr) if rng.random() < 0.3 else 0
        out = rng.randint(0, 5000)
        rs = rng.randint(0, out) if rng.random() < 0.5 else 0
        at = start + timedelta(minutes=rng.randint(0, 60 * 24 * 500))
        rows.append((model, provider, inp, out, cr, cw, rs, at))
    cols = list(zip(*rows, strict=True))
    batch = price_batch(PriceBook(), cols[0], cols[1], *cols[2:7], at_ns=[to_ns(t) for t in cols[7]])
    for i, (model, provider, inp, out, cr, cw, rs, at) in enumerate(rows):
        one = sdk_calculate_cost(model, inp, out, cr, cw, rs, provider=provider, at=at)
        if one.priced:
            assert batch.status[i] == PRICED
            got = tuple(Decimal(int(v[i])) / 10**12 for v in (batch.pico, batch.input_pico, batch.output_pico,
                                                                  batch.cache_pico))  # fmt: skip
            assert got == (one.usd, one.input_usd, one.output_usd, one.cache_usd), rows[i]
            assert batch.price_ids[batch.segment[i]] == one.price_id
        else:
            assert batch.status[i] == UNPRICED and batch.pico[i] == 0, rows[i]
    assert batch.count(PRICED) + batch.count(UNPRICED) == n
    assert ("unknown-model", "openai") in batch.unpriced
    assert "no model name" in batch.unpriced[("", "")]
    assert "is not in genai-prices" in batch.unpriced[("claude-haiku-4-5", "aws.bedrock")]


def test_null_token_counts_mean_no_usage_not_unpriced() -> None:
    # Arrow's nullable token columns arrive as floats with NaN (or lists with None).
    batch = price_batch(
        PriceBook(),
        ["gpt-4o", "", "unknown", "gpt-4o"],
        ["openai", "", "", "openai"],
        [1000, None, float("nan"), None],
        np.array([500, np.nan, np.nan, 20]),
    )
    assert list(batch.status) == [PRICED, NO_USAGE, NO_USAGE, PRICED]
    assert list(batch.pico) == [pico(1000, "2.50") + pico(500, "10.00"), 0, 0, pico(20, "10.00")]
    assert batch.unpriced == {}


def test_spans_before_a_custom_price_starts_are_unpriced_with_the_time() -> None:
    book = PriceBook(overrides=[{"model": "acme", "input": 1, "output": 1, "effective_from": "2025-03-01"}])
    at = np.array(["2025-02-28T23:00", "2025-03-01T00:00"], dtype="datetime64[ns]")
    batch = price_batch(book, ["acme", "acme"], None, [10, 10], [10, 10], at_ns=at)
    assert list(batch.status) == [UNPRICED, PRICED]
    assert list(batch.pico) == [0, pico(10, '1') + pico(10, '1')]
    assert "2025-02-28T23:00:00" in batch.unpriced[("acme", "")]


def test_encoded_input_uses_the_dictionary_codes() -> None:
    keys = [("gpt-4o-mini", "openai"), ("claude-3-haiku-20240307", "anthropic")]
    codes = np.array([1, 0, 1, 1], dtype=np.int32)
    batch = price_encoded(PriceBook(), codes, keys, [100, 100, 200, 0], [10, 10, 10, 0])
    assert list(batch.pico) == [
        pico(100, "0.25") + pico(10, "1.25"),
        pico(100, "0.15") + pico(10, "0.60"),
        pico(200, "0.25") + pico(10, "1.25"),
        0,
    ]
    assert list(batch.status) == [PRICED] * 4


def test_an_empty_batch_is_fine() -> None:
    batch = price_batch(PriceBook(), [], [], [], [])
    assert len(batch.pico) == 0 and batch.unpriced == {}


def test_input_only_and_output_only_spans_are_priced() -> None:
    # Regression: a batch whose input column had no nulls marked input "all present", which the
    # usage check skipped, so embedding spans (no output count) became "no usage" and stayed unpriced.
    embeddings = price_batch(
        PriceBook(),
        ["text-embedding-3-small"] * 3,
        ["openai"] * 3,
        np.array([100_000, 2_000_000, 50], dtype=np.int64),
        np.array([np.nan, np.nan, np.nan]),
    )
    assert list(embeddings.status) == [PRICED] * 3
    assert list(embeddings.pico) == [pico(100_000, "0.02"), pico(2_000_000, "0.02"), pico(50, "0.02")]
    output_only = price_batch(PriceBook(), ["gpt-4o-mini"], ["openai"], [float("nan")], np.array([1000]))
    assert list(output_only.status) == [PRICED]
    assert list(output_only.pico) == [pico(1000, "0.60")]


def test_every_unpriced_span_has_a_reason() -> None:
    book = PriceBook(overrides=[{"model": "acme", "input": 1, "output": 1, "effective_to": "2025-03-01"}])
    batch = price_batch(book, ["acme", "nope"], [None, "openai"], [10, 10], [10, 10])
    assert list(batch.status) == [UNPRICED, UNPRICED]
    assert batch.unpriced[("acme", "")] and batch.unpriced[("nope", "openai")]
