"""Savings recommendations: their numbers recomputed here from published prices."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.analysis.cost.prices import micros
from workers.analysis.cost import ModelUsage, PriceBook, RepeatedPrompt, caching, cheaper_models, recommend
from workers.analysis.cost.table import packaged_table_bytes, parse_table


def usage(model: str, provider: str, **kw: float) -> ModelUsage:
    base = {"requests": 10_000, "total_cost_micros": 0, "input_tokens": 6_000_000, "output_tokens": 1_500_000,
            "median_input_tokens": 600.0, "median_output_tokens": 150.0}  # fmt: skip
    return ModelUsage(model, provider, **(base | kw))  # type: ignore[arg-type]


def test_repeated_prompt_caching_saving() -> None:
    recs = caching([
        RepeatedPrompt("a" * 32, "gpt-4o", "openai", count=40, total_cost_micros=2_000_000, preview="Summarise..."),
        RepeatedPrompt("b" * 32, "gpt-4o", "openai", count=3, total_cost_micros=100_001),
        RepeatedPrompt("c" * 32, "gpt-4o", "openai", count=2, total_cost_micros=9_000_000),  # below min_repeats
        RepeatedPrompt("d" * 32, "gpt-4o", "openai", count=5, total_cost_micros=10),  # saving too small
    ])  # fmt: skip
    assert [r.evidence["input_hash"] for r in recs] == ["a" * 32, "b" * 32]
    first, second = recs
    assert first.saving_micros == 2_000_000 * 39 // 40 == 1_950_000
    assert first.evidence["average_cost_micros"] == 50_000 and first.evidence["avoidable_calls"] == 39
    assert "40 times" in first.detail and "$1.95" in first.detail
    assert second.saving_micros == 66_667  # 100001 * 2/3 = 66667.33
    assert second.evidence["average_cost_micros"] == 33_334  # 33333.67


def test_expensive_model_on_short_calls_gets_a_cheaper_sibling_with_its_saving() -> None:
    u = usage("gpt-4o-2024-11-20", "openai", cache_read_tokens=1_000_000, total_cost_micros=28_700_000)
    (rec,) = cheaper_models([u], PriceBook())
    # gpt-4o $2.50 / $1.25 cached / $10 -> gpt-4o-mini $0.15 / $0.075 cached / $0.60
    now = micros(5_000_000, "2.50") + micros(1_000_000, "1.25") + micros(1_500_000, "10.00")
    alt = micros(5_000_000, "0.15") + micros(1_000_000, "0.075") + micros(1_500_000, "0.60")
    assert (now, alt) == (28_750_000, 1_725_000)
    assert rec.kind == "cheaper_model" and rec.evidence["alternative"] == "gpt-4o-mini"
    assert rec.saving_micros == now - alt
    assert rec.evidence["estimated_cost_micros"] == now and rec.evidence["alternative_cost_micros"] == alt
    assert rec.evidence["observed_cost_micros"] == 28_700_000
    assert rec.evidence["input_usd_per_mtok"] == 2.5 and rec.evidence["alternative_output_usd_per_mtok"] == 0.6
    assert "$28.75" in rec.detail and "$1.73" in rec.detail and "$27.02" in rec.detail


def test_sibling_must_be_priced_for_the_same_provider() -> None:
    # A dated id finds its family's sibling: claude-3-7-sonnet -> claude-3-5-haiku ($0.80 / $4)
    (rec,) = cheaper_models([usage("claude-3-7-sonnet-20250219", "anthropic")], PriceBook())
    assert rec.evidence["alternative"] == "claude-3-5-haiku"
    expected = (micros(6_000_000, "3.00") + micros(1_500_000, "15.00")) - (
        micros(6_000_000, "0.80") + micros(1_500_000, "4.00")
    )
    assert rec.saving_micros == expected
    doc = json.loads(packaged_table_bytes())
    doc["models"] = [
        {"model": "big", "providers": ["openai", "azure.ai.openai"], "prices": [{"input": 10, "output": 30}]},
        {"model": "small", "providers": ["openai"], "prices": [{"input": 1, "output": 3}]},
    ]  # fmt: skip
    doc["lighter_alternatives"] = {"big": "small"}
    book = PriceBook(table=parse_table(doc))
    assert cheaper_models([usage("big", "azure")], book) == []
    assert cheaper_models([usage("big", "openai")], book)[0].saving_micros == 60_000_000 + 45_000_000 - (
        6_000_000 + 4_500_000
    )


def test_long_calls_models_without_sibling_and_custom_models_get_nothing() -> None:
    book = PriceBook(overrides=[{"model": "acme", "input": 50, "output": 50}])
    assert cheaper_models([usage("gpt-4o", "openai", median_input_tokens=4000)], book) == []
    assert cheaper_models([usage("gpt-4o", "openai", median_output_tokens=301)], book) == []
    assert cheaper_models([usage("gpt-4o-mini", "openai")], book) == []
    assert cheaper_models([usage("acme", "openai")], book) == []
    assert cheaper_models([usage("unknown", "openai")], book) == []


def test_prices_in_force_at_the_window_are_used() -> None:
    # o3 before its 2025-06-10 cut: $10 / $40 vs o4-mini $1.10 / $4.40
    (rec,) = cheaper_models([usage("o3", "openai")], PriceBook(), at=datetime(2025, 5, 1, tzinfo=UTC))
    assert rec.saving_micros == (micros(6_000_000, "10") + micros(1_500_000, "40")) - (
        micros(6_000_000, "1.10") + micros(1_500_000, "4.40")
    )


def test_recommend_orders_by_saving() -> None:
    recs = recommend(
        [RepeatedPrompt("h" * 32, "gpt-4o", "openai", count=100, total_cost_micros=500_000_000)],
        [usage("gpt-4o", "openai")],
        PriceBook(),
    )
    assert [r.kind for r in recs] == ["cache_repeated_prompt", "cheaper_model"]
    assert recs[0].saving_micros == 495_000_000
