"""Per-call costs equal independently computed values: Decimal arithmetic on published prices, and
genai-prices' own `calc_price` on the data PyFlare prices from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.analysis.cost.prices import genai_usd, micros, usd
from workers.analysis.cost import PriceBook, calculate_cost


def test_dated_openai_snapshot_with_cached_input() -> None:
    # gpt-4o-2024-08-06: $2.50 input, $1.25 cached input, $10.00 output per 1M tokens.
    # OpenAI's prompt_tokens (1200) include the 1024 cached tokens: they are billed once, at the cached price.
    r = calculate_cost("gpt-4o-2024-08-06", 1200, 300, cache_read_tokens=1024, provider="openai")
    assert r.priced and r.model == "gpt-4o"  # the family genai-prices files the snapshot under
    assert r.input_usd == usd(1200 - 1024, "2.50")
    assert r.cache_usd == usd(1024, "1.25")
    assert r.output_usd == usd(300, "10.00")
    assert r.usd == usd(176, "2.50") + usd(1024, "1.25") + usd(300, "10.00") == Decimal("0.00472")
    assert r.usd == genai_usd("gpt-4o-2024-08-06", "openai", 1200, 300, cache_read=1024)


def test_dated_name_strips_to_the_family_price() -> None:
    # gpt-4o-mini-2024-07-18 -> gpt-4o-mini: $0.15 / $0.075 cached / $0.60
    r = calculate_cost("gpt-4o-mini-2024-07-18", 10_000, 500, cache_read_tokens=2048)
    assert r.model == "gpt-4o-mini"
    assert r.input_usd == usd(7952, "0.15") == Decimal("0.0011928")  # exact, not rounded to 1193 micro-dollars
    assert r.cache_usd == usd(2048, "0.075")
    assert r.output_usd == usd(500, "0.60")
    assert r.micros == 1646  # 1646.4 rounded once, for display


def test_a_ten_token_embedding_costs_what_it_costs() -> None:
    # Regression: components were rounded to whole micro-dollars, so this cost $0.
    r = calculate_cost("text-embedding-3-small", 10, 0, provider="openai")
    assert r.priced and r.usd == usd(10, "0.02") == Decimal("0.0000002")
    million = sum((calculate_cost("gpt-4.1-nano", 8, 1, provider="openai").usd for _ in range(1000)), Decimal(0))
    assert million == 1000 * (usd(8, "0.10") + usd(1, "0.40"))


def test_anthropic_cache_reads_and_writes() -> None:
    # claude-3-5-sonnet: $3 input, $0.30 cache read, $3.75 cache write (5 min), $15 output.
    # Semconv input_tokens = 1000 uncached + 3000 read + 1000 written.
    r = calculate_cost("claude-3-5-sonnet-20241022", 5000, 400, cache_read_tokens=3000, cache_creation_tokens=1000,
                       provider="anthropic")  # fmt: skip
    assert r.model == "claude-3-5-sonnet"
    assert r.input_usd == usd(1000, "3.00")
    assert r.cache_usd == usd(3000, "0.30") + usd(1000, "3.75")
    assert r.output_usd == usd(400, "15.00")
    assert r.usd == genai_usd("claude-3-5-sonnet-20241022", "anthropic", 5000, 400, 3000, 1000)


def test_cache_write_tokens_are_priced_at_the_write_rate() -> None:
    # The Anthropic SDK's 1,500 cache-write tokens: $3.75, not the $3 input price.
    r = calculate_cost("claude-sonnet-4-5", 2000, 100, cache_creation_tokens=1500, provider="anthropic")
    assert r.cache_usd == usd(1500, "3.75") and r.input_usd == usd(500, "3.00")
    assert r.usd == genai_usd("claude-sonnet-4-5", "anthropic", 2000, 100, cache_write=1500)


def test_raw_anthropic_counts_excluding_the_cache_are_not_subtracted_twice() -> None:
    # The Messages API's own input_tokens (200) exclude cache reads/writes; 200 < 4000 cached proves it.
    r = calculate_cost("claude-3-5-sonnet-20241022", 200, 400, cache_read_tokens=3000, cache_creation_tokens=1000)
    assert r.input_usd == usd(200, "3.00")
    assert r.usd == genai_usd("claude-3-5-sonnet-20241022", "anthropic", 4200, 400, 3000, 1000)


def test_openai_reasoning_tokens_are_part_of_output_not_added() -> None:
    # o3-mini: $1.10 / $4.40; completion_tokens 3000 already include 2500 reasoning tokens.
    r = calculate_cost("o3-mini-2025-01-31", 1000, 3000, reasoning_tokens=2500, provider="openai")
    assert r.output_usd == usd(3000, "4.40")
    assert r.usd == usd(1000, "1.10") + usd(3000, "4.40") == genai_usd("o3-mini", "openai", 1000, 3000)


def test_gemini_thinking_tokens_are_reported_apart_and_added() -> None:
    # gemini-2.5-flash: $0.30 input, $2.50 output incl. thinking; candidates (200) exclude thoughts (800).
    r = calculate_cost("gemini-2.5-flash", 1000, 200, reasoning_tokens=800, provider="gcp.gemini")
    assert r.usd == usd(1000, "0.30") + usd(200 + 800, "2.50") == genai_usd("gemini-2.5-flash", "google", 1000, 1000)


def test_long_context_tier_prices_the_whole_request() -> None:
    # claude-sonnet-4-5: above 200k input tokens $6 / $22.50 for every token of the request.
    long = calculate_cost("claude-sonnet-4-5-20250929", 250_000, 1000, provider="anthropic")
    assert long.usd == usd(250_000, "6.00") + usd(1000, "22.50") == Decimal("1.5225")
    assert long.price_id == "anthropic:claude-sonnet-4-5@initial>200000"
    edge = calculate_cost("claude-sonnet-4-5", 200_000, 1000, provider="anthropic")
    assert edge.usd == usd(200_000, "3.00") + usd(1000, "15.00")
    # Gemini 2.5 Pro: $1.25/$10 up to 200k prompt tokens, $2.50/$15 above; cached reads tiered too.
    for tokens in (200_000, 200_001, 1_000_000):
        r = calculate_cost("gemini-2.5-pro", tokens, 2000, cache_read_tokens=50_000, provider="gcp.gemini")
        assert r.usd == genai_usd("gemini-2.5-pro", "google", tokens, 2000, cache_read=50_000), tokens
    assert calculate_cost("gemini-2.5-pro", 200_001, 0, provider="gemini").input_usd == usd(200_001, "2.50")


@pytest.mark.parametrize(
    ("model", "provider", "genai_model", "genai_provider", "canonical"),
    [
        ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", "aws.bedrock", "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
         "aws", "regional.anthropic.claude-3-5-sonnet-20240620-v1:0"),
        ("claude-3-5-sonnet-latest", None, "claude-3-5-sonnet-latest", None, "claude-3-5-sonnet"),
        ("claude-3-5-sonnet-v2@20241022", "vertex_ai", "claude-3-5-sonnet-v2@20241022", "google", "claude-3-5-sonnet"),
        ("models/gemini-2.0-flash-001", "gemini", "gemini-2.0-flash-001", "google", "gemini-2.0-flash"),
        ("GPT-4o-Mini", "OpenAI", "gpt-4o-mini", "openai", "gpt-4o-mini"),
        ("prod-gpt-4o-mini-eastus", "az.ai.openai", "gpt-4o-mini", "azure", "gpt-4o-mini"),
        ("mistral-large-latest", "mistralai", "mistral-large-latest", "mistral", "mistral-large"),
        ("command-r-plus-08-2024", "cohere", "command-r-plus-08-2024", "cohere", "command-r-plus"),
        ("gpt-5-2025-08-07", "openai", "gpt-5", "openai", "gpt-5"),
        ("claude-opus-4-1-20250805", "anthropic", "claude-opus-4-1", "anthropic", "claude-opus-4-1"),
        ("text-embedding-3-large", "openai", "text-embedding-3-large", "openai", "text-embedding-3-large"),
        ("deepseek-chat", "deepseek", "deepseek-chat", "deepseek", "deepseek-chat"),
    ],
)  # fmt: skip
def test_real_model_names_match_the_source_price(
    model: str, provider: str | None, genai_model: str, genai_provider: str | None, canonical: str
) -> None:
    at = datetime(2025, 11, 3, 9, tzinfo=UTC)  # 09:00 UTC: DeepSeek's standard (not off-peak) hours
    r = calculate_cost(model, 12_345, 678, provider=provider, at=at)
    assert r.priced, r.reason
    assert r.model == canonical
    assert r.usd == genai_usd(genai_model, genai_provider, 12_345, 678, at=at)


def test_unknown_model_is_unpriced_never_zero() -> None:
    r = calculate_cost("acme-llm-7b", 1000, 100, provider="openai")
    assert not r.priced and r.usd is None and r.micros is None and r.input_usd is None
    assert "acme-llm-7b" in r.reason and "not in genai-prices" in r.reason


def test_models_priced_in_units_a_span_lacks_and_unknown_providers_are_unpriced_with_a_reason() -> None:
    whisper = calculate_cost("whisper-1", 1000, 0, provider="openai")
    assert not whisper.priced and "units a span does not carry" in whisper.reason
    local = calculate_cost("llama3", 1000, 100, provider="ollama")
    assert not local.priced and "'ollama' has no published prices" in local.reason


def test_effective_dates_pick_the_price_in_force() -> None:
    # o3 was cut from $10/$40 to $2/$8 on 2025-06-10; a non-UTC timestamp is compared in UTC.
    cest = timezone(timedelta(hours=2))
    before, after = datetime(2025, 6, 10, 1, 0, tzinfo=cest), datetime(2025, 6, 10, 2, 0, tzinfo=cest)
    assert calculate_cost("o3", 1000, 1000, at=before).usd == usd(1000, "10") + usd(1000, "40")
    assert calculate_cost("o3", 1000, 1000, at=after).usd == usd(1000, "2") + usd(1000, "8")
    assert calculate_cost("o3", 1000, 1000, at=after).price_id == "openai:o3@2025-06-10"
    for at in (before, after, datetime(2024, 1, 1, tzinfo=UTC)):
        assert calculate_cost("o3", 1000, 1000, at=at).usd == genai_usd("o3", "openai", 1000, 1000, at=at)


def test_project_override_wins_where_it_is_in_force() -> None:
    overrides = [{"model": "gpt-4o", "provider": "openai", "input": "2.00", "output": "8.00",
                  "effective_from": "2025-06-01", "id": 7}]  # fmt: skip
    book = PriceBook(overrides=overrides)
    inside = calculate_cost("gpt-4o-2024-11-20", 1000, 1000, provider="openai", at=datetime(2025, 7, 1, tzinfo=UTC),
                            overrides=book)  # fmt: skip
    assert inside.micros == micros(1000, "2.00") + micros(1000, "8.00")
    assert inside.price_id == "override:7" and inside.matched_by.startswith("override")
    earlier = calculate_cost("gpt-4o", 1000, 1000, provider="openai", at=datetime(2025, 5, 1, tzinfo=UTC),
                             overrides=book)  # fmt: skip
    assert earlier.micros == micros(1000, "2.50") + micros(1000, "10.00")
    assert calculate_cost("gpt-4o", 1000, 1000, provider="openai", overrides=overrides).price_id == "override:7"
    # the override is for openai only: Azure keeps the table price
    assert calculate_cost("gpt-4o", 1000, 1000, provider="azure", overrides=book).micros == 2500 + 10_000
    assert book.version.startswith("2026-12-06.1+genai-prices.") and "+overrides." in book.version


def test_custom_model_and_provider_specific_override_precedence() -> None:
    book = PriceBook(overrides=[
        {"model": "acme-llm", "aliases": ["acme-llm-prod"], "input": 0.5, "output": 1.5},
        {"model": "acme-llm", "provider": "openai", "input": 0.4, "output": 1.2},
    ])  # fmt: skip
    generic = calculate_cost("acme-llm-prod", 1_000_000, 1_000_000, overrides=book)
    assert generic.micros == micros(1_000_000, "0.5") + micros(1_000_000, "1.5")
    specific = calculate_cost("acme-llm", 1_000_000, 1_000_000, provider="openai", overrides=book)
    assert specific.micros == 400_000 + 1_200_000


def test_override_without_provider_keeps_the_models_reasoning_convention() -> None:
    # Gemini reports thinking apart from output; a project price for it must not start subtracting it.
    book = PriceBook(overrides=[{"model": "gemini-2.5-flash", "input": 1, "output": 2}])
    r = calculate_cost("gemini-2.5-flash", 100, 100, reasoning_tokens=50, overrides=book)
    assert r.micros == 100 * 1 + (100 + 50) * 2


def test_a_separate_reasoning_price_applies_to_the_reasoning_part_of_output() -> None:
    book = PriceBook(overrides=[{"model": "claude-sonnet-4-5", "provider": "aws.bedrock", "input": "3.30",
                                 "output": "16.50", "reasoning": "20"}])  # fmt: skip
    r = calculate_cost("us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1000, 1000, reasoning_tokens=400,
                       provider="aws.bedrock", overrides=book)  # fmt: skip
    assert r.priced and r.matched_by.startswith("override")
    assert r.output_micros == micros(600, "16.50") + micros(400, "20") == 9900 + 8000
    assert r.micros == micros(1000, "3.30") + 17_900


@pytest.mark.parametrize(
    "bad",
    [
        [{"model": "m", "input": 1, "output": 1, "effective_to": "2025-02-01"},
         {"model": "m", "input": 2, "output": 2, "effective_from": "2025-01-01"}],
        [{"model": "", "input": 1, "output": 1}],
        [{"model": "m", "input": 1}],
    ],
)  # fmt: skip
def test_bad_overrides_are_refused_with_a_message(bad: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError, match=r"override|model|required"):
        PriceBook(overrides=bad)


def test_at_none_is_the_current_price_and_naive_times_are_refused() -> None:
    assert calculate_cost("o3", 1000, 1000).usd == usd(1000, "2") + usd(1000, "8")
    with pytest.raises(ValueError, match="timezone"):
        calculate_cost("o3", 1000, 1000, at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="input_tokens"):
        calculate_cost("o3", -1, 0)
