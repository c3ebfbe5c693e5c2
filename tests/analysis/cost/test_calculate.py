"""Per-call costs equal hand-computed values from the providers' published prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.analysis.cost.prices import micros
from workers.analysis.cost import PriceBook, calculate_cost


def test_dated_openai_snapshot_with_cached_input() -> None:
    # gpt-4o-2024-08-06: $2.50 input, $1.25 cached input, $10.00 output per 1M tokens.
    # OpenAI's prompt_tokens (1200) include the 1024 cached tokens: they are billed once, at the cached price.
    r = calculate_cost("gpt-4o-2024-08-06", 1200, 300, cache_read_tokens=1024, provider="openai")
    assert r.priced and r.model == "gpt-4o-2024-08-06"
    assert r.input_micros == micros(1200 - 1024, "2.50") == 440
    assert r.cache_micros == micros(1024, "1.25") == 1280
    assert r.output_micros == micros(300, "10.00") == 3000
    assert r.micros == 440 + 1280 + 3000


def test_dated_name_strips_to_the_family_price() -> None:
    # gpt-4o-mini-2024-07-18 -> gpt-4o-mini: $0.15 / $0.075 cached / $0.60
    r = calculate_cost("gpt-4o-mini-2024-07-18", 10_000, 500, cache_read_tokens=2048)
    assert r.model == "gpt-4o-mini"
    assert r.input_micros == micros(7952, "0.15") == 1193  # 1192.8
    assert r.cache_micros == micros(2048, "0.075") == 154  # 153.6
    assert r.output_micros == micros(500, "0.60") == 300
    assert r.micros == 1193 + 154 + 300


def test_anthropic_cache_reads_and_writes() -> None:
    # claude-3-5-sonnet: $3 input, $0.30 cache read, $3.75 cache write (5 min), $15 output.
    # Semconv input_tokens = 1000 uncached + 3000 read + 1000 written.
    r = calculate_cost("claude-3-5-sonnet-20241022", 5000, 400, cache_read_tokens=3000, cache_creation_tokens=1000,
                       provider="anthropic")  # fmt: skip
    assert r.model == "claude-3-5-sonnet"
    assert r.input_micros == micros(1000, "3.00")
    assert r.cache_micros == micros(3000, "0.30") + micros(1000, "3.75")
    assert r.output_micros == micros(400, "15.00")
    assert r.micros == 3000 + 900 + 3750 + 6000


def test_raw_anthropic_counts_excluding_the_cache_are_not_subtracted_twice() -> None:
    # The Messages API's own input_tokens (200) exclude cache reads/writes; 200 < 4000 cached proves it.
    r = calculate_cost("claude-3-5-sonnet-20241022", 200, 400, cache_read_tokens=3000, cache_creation_tokens=1000)
    assert r.input_micros == micros(200, "3.00")
    assert r.micros == 600 + 900 + 3750 + 6000


def test_openai_reasoning_tokens_are_part_of_output_not_added() -> None:
    # o3-mini: $1.10 / $4.40; completion_tokens 3000 already include 2500 reasoning tokens.
    r = calculate_cost("o3-mini-2025-01-31", 1000, 3000, reasoning_tokens=2500, provider="openai")
    assert r.output_micros == micros(500, "4.40") + micros(2500, "4.40") == micros(3000, "4.40")
    assert r.micros == micros(1000, "1.10") + micros(3000, "4.40") == 14_300


def test_gemini_thinking_tokens_are_reported_apart_and_added() -> None:
    # gemini-2.5-flash: $0.30 input, $2.50 output incl. thinking; candidates (200) exclude thoughts (800).
    r = calculate_cost("gemini-2.5-flash", 1000, 200, reasoning_tokens=800, provider="gcp.gemini")
    assert r.micros == micros(1000, "0.30") + micros(200 + 800, "2.50") == 2800


def test_long_context_tier_prices_the_whole_request() -> None:
    # claude-sonnet-4-5: above 200k input tokens $6 / $22.50 for every token of the request.
    long = calculate_cost("claude-sonnet-4-5-20250929", 250_000, 1000, provider="anthropic")
    assert long.micros == micros(250_000, "6.00") + micros(1000, "22.50") == 1_522_500
    assert long.price_id == "claude-sonnet-4-5@initial>200000"
    edge = calculate_cost("claude-sonnet-4-5", 200_000, 1000, provider="anthropic")
    assert edge.micros == micros(200_000, "3.00") + micros(1000, "15.00")


def test_rounding_is_half_up_per_component() -> None:
    # gpt-4.1-nano: $0.10 input, $0.025 cached, $0.40 output -> 0.5, 0.075 and 0.4 micro-dollars
    r = calculate_cost("gpt-4.1-nano", 8, 1, cache_read_tokens=3)
    assert (r.input_micros, r.cache_micros, r.output_micros, r.micros) == (1, 0, 0, 1)


@pytest.mark.parametrize(
    ("model", "provider", "usd_in", "usd_out", "canonical"),
    [
        ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", "aws.bedrock", "3.00", "15.00", "claude-3-5-sonnet"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "bedrock", "0.25", "1.25", "claude-3-haiku"),
        ("claude-3-5-sonnet-latest", None, "3.00", "15.00", "claude-3-5-sonnet"),
        ("claude-3-5-sonnet-v2@20241022", "vertex_ai", "3.00", "15.00", "claude-3-5-sonnet"),
        ("models/gemini-2.0-flash-001", "gemini", "0.10", "0.40", "gemini-2.0-flash"),
        ("GPT-4o-Mini", "OpenAI", "0.15", "0.60", "gpt-4o-mini"),
        ("prod-gpt-4o-mini-eastus", "az.ai.openai", "0.15", "0.60", "gpt-4o-mini"),
        ("gpt-35-turbo", "azure", "0.50", "1.50", "gpt-3.5-turbo"),
        ("mistral-large-latest", "mistralai", "2.00", "6.00", "mistral-large"),
        ("command-r-plus", "cohere", "3.00", "15.00", "command-r-plus-04-2024"),
        ("command-r-plus-08-2024", "cohere", "2.50", "10.00", "command-r-plus-08-2024"),
        ("us.amazon.nova-pro-v1:0", "aws.bedrock", "0.80", "3.20", "amazon.nova-pro-v1:0"),
        ("meta.llama3-1-70b-instruct-v1:0", "aws", "0.72", "0.72", "meta.llama3-1-70b-instruct-v1:0"),
        ("gpt-5-2025-08-07", "openai", "1.25", "10.00", "gpt-5"),
        ("claude-opus-4-1-20250805", "anthropic", "15.00", "75.00", "claude-opus-4-1"),
    ],
)
def test_real_model_names_match_their_published_price(
    model: str, provider: str | None, usd_in: str, usd_out: str, canonical: str
) -> None:
    r = calculate_cost(model, 12_345, 678, provider=provider)
    assert r.priced, r.reason
    assert r.model == canonical
    assert r.micros == micros(12_345, usd_in) + micros(678, usd_out)


def test_unknown_model_is_unpriced_never_zero() -> None:
    r = calculate_cost("acme-llm-7b", 1000, 100, provider="openai")
    assert not r.priced and r.micros is None and r.input_micros is None
    assert "acme-llm-7b" in r.reason and "not in price table" in r.reason


def test_preview_variants_with_other_prices_are_not_guessed() -> None:
    assert not calculate_cost("gpt-4o-audio-preview-2024-10-01", 1000, 100).priced
    assert not calculate_cost("gemini-2.5-flash-preview-04-17", 1000, 100).priced


def test_a_provider_the_price_is_not_listed_for_is_unpriced_with_the_reason() -> None:
    r = calculate_cost("claude-sonnet-4-5", 1000, 100, provider="aws.bedrock")
    assert not r.priced
    assert "anthropic" in r.reason and "aws.bedrock" in r.reason


def test_effective_dates_pick_the_price_in_force() -> None:
    # `gpt-4o` served the 2024-05-13 snapshot ($5/$15) until 2024-10-02, then $2.50/$10.
    before = calculate_cost("gpt-4o", 1000, 1000, at=datetime(2024, 10, 1, 23, 59, tzinfo=UTC))
    after = calculate_cost("gpt-4o", 1000, 1000, at=datetime(2024, 10, 2, tzinfo=UTC))
    assert before.micros == micros(1000, "5.00") + micros(1000, "15.00")
    assert after.micros == micros(1000, "2.50") + micros(1000, "10.00")
    # o3 was cut from $10/$40 to $2/$8 on 2025-06-10; a non-UTC timestamp is compared in UTC.
    cest = timezone(timedelta(hours=2))
    assert calculate_cost("o3", 1000, 1000, at=datetime(2025, 6, 10, 1, 0, tzinfo=cest)).micros == 10_000 + 40_000
    assert calculate_cost("o3", 1000, 1000, at=datetime(2025, 6, 10, 2, 0, tzinfo=cest)).micros == 2000 + 8000
    # gemini-1.5-pro before / after the 2024-10-01 cut, short and long (>128k) prompts
    pro = "models/gemini-1.5-pro-002"
    sept, nov = datetime(2024, 9, 15, tzinfo=UTC), datetime(2024, 11, 1, tzinfo=UTC)
    assert calculate_cost(pro, 100_000, 1000, at=sept).micros == micros(100_000, "3.50") + micros(1000, "10.50")
    assert calculate_cost(pro, 200_000, 1000, at=sept).micros == micros(200_000, "7.00") + micros(1000, "21.00")
    assert calculate_cost(pro, 100_000, 1000, at=nov).micros == micros(100_000, "1.25") + micros(1000, "5.00")
    assert calculate_cost(pro, 100_000, 1000).price_id == "gemini-1.5-pro@2024-10-01"


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
    assert book.version.startswith("2025-12-01.1+overrides.")


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
    assert calculate_cost("o3", 1000, 1000).micros == 10_000
    with pytest.raises(ValueError, match="timezone"):
        calculate_cost("o3", 1000, 1000, at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="input_tokens"):
        calculate_cost("o3", -1, 0)
