"""`pyflare.cost.calculate_cost` (SDK, pure Python) and the server give the same answer everywhere:
every model genai-prices lists for the providers PyFlare names, at every price change, with every
token mix, and the probe names with project overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from genai_prices import data_snapshot, types

import pyflare.cost as sdk
from tests.analysis.cost.prices import genai_usd
from workers.analysis.cost import PriceBook, calculate_cost, packaged_table

TOKENS = [
    (0, 0, 0, 0, 0),
    (1, 1, 0, 0, 0),
    (7, 3, 5, 0, 0),
    (1200, 300, 1024, 0, 0),
    (5000, 900, 3000, 1000, 0),
    (200, 400, 3000, 1000, 0),  # raw Anthropic-style counts
    (1000, 3000, 0, 0, 2500),
    (1000, 200, 0, 0, 800),  # reasoning beyond output: reported apart
    (128_001, 10, 100_000, 0, 0),
    (250_000, 1000, 0, 5000, 0),
    (2**32 - 1, 2**32 - 1, 0, 0, 0),
]
PROBES = [
    "gpt-4o-2024-08-06", "gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18", "o1-2024-12-17", "chatgpt-4o-latest",
    "claude-3-5-sonnet-latest", "claude-3-5-sonnet-v2@20241022", "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
    "models/gemini-1.5-pro-002", "publishers/google/models/gemini-2.5-flash", "gemini-2.5-flash-preview-04-17",
    "prod-gpt-4o-mini-eastus", "my-o3-deployment", "gpt-4o-audio-preview", "Mistral-Large-Latest",
    "us.meta.llama3-1-70b-instruct-v1:0", "ft:gpt-4o-mini-2024-07-18:acme::x1", "", "totally-unknown",
]  # fmt: skip
PROVIDERS = [None, "openai", "azure", "anthropic", "aws.bedrock", "vertex_ai", "gemini", "mistral", "cohere", "groq"]
OVERRIDES: list[dict[str, Any]] = [
    {"model": "gpt-4o", "provider": "openai", "input": "2", "output": "8", "effective_from": "2025-06-01", "id": 1},
    {"model": "gpt-4o", "provider": "openai", "input": "3", "output": "9", "effective_to": "2024-01-01", "id": 2},
    {"model": "gemini-2.5-flash", "input": "0.2", "output": "2", "cache_read": "0.05"},
    {"model": "acme", "aliases": ["acme-prod"], "input": 1, "output": 2, "effective_from": "2025-01-01"},
    {"model": "claude-sonnet-4-5", "provider": "aws.bedrock", "input": "3.3", "output": "16.5", "reasoning": 20},
]


def _same(server: Any, client: Any, context: object) -> None:
    got = (server.usd, server.input_usd, server.output_usd, server.cache_usd, server.priced,
           server.price_id, server.model, server.provider, server.family)  # fmt: skip
    want = (client.usd, client.input_usd, client.output_usd, client.cache_usd, client.priced,
            client.price_id, client.model, client.provider, client.family)  # fmt: skip
    assert got == want, context
    assert bool(server.reason) == bool(client.reason) == (not server.priced), context


def _instants(model: types.ModelInfo) -> list[datetime | None]:
    out: list[datetime | None] = [None]
    if isinstance(model.prices, list):
        for c in model.prices:
            if isinstance(c.constraint, types.StartDateConstraint):
                d = c.constraint.start_date
                start = datetime(d.year, d.month, d.day, tzinfo=UTC)
                out += [start, start - timedelta(microseconds=1)]
    return out


def test_every_model_of_the_named_providers_period_and_token_mix() -> None:
    table = packaged_table()
    source_ids = set(table.source_providers.values())
    ours = {v: k for k, v in table.source_providers.items()}  # one PyFlare name per genai-prices provider
    checked = 0
    for provider in data_snapshot.get_snapshot().providers:
        if provider.id not in source_ids:
            continue
        for model in provider.models:
            for hint in (ours[provider.id], None):
                for at in _instants(model):
                    for tokens in TOKENS[::2] if hint is None else TOKENS:
                        args = (model.id, *tokens)
                        _same(calculate_cost(*args, provider=hint, at=at),
                              sdk.calculate_cost(*args, provider=hint, at=at), (args, hint, at))  # fmt: skip
                        checked += 1
    assert checked > 4000


def test_probe_names_providers_and_overrides() -> None:
    server_book, client_book = PriceBook(overrides=OVERRIDES), sdk.PriceBook(OVERRIDES)
    instants = [
        None,
        datetime.fromisoformat("2025-06-01T00:00:00+00:00"),
        datetime.fromisoformat("2025-05-31T23:59:59+00:00"),
        datetime.fromisoformat("2023-12-31T23:59:59+00:00"),
        datetime.fromisoformat("2025-01-01T00:00:00+00:00"),
        datetime.fromisoformat("2024-12-31T23:59:59+00:00"),
    ]
    names = [*PROBES, "gpt-4o", "acme", "acme-prod", "gemini-2.5-flash", "claude-sonnet-4-5"]
    for name in names:
        for provider in PROVIDERS:
            for at in instants:
                for tokens in TOKENS[:9]:
                    args = (name, *tokens)
                    _same(calculate_cost(*args, provider=provider, at=at),
                          sdk.calculate_cost(*args, provider=provider, at=at), (args, provider, at))  # fmt: skip
                    _same(calculate_cost(*args, provider=provider, at=at, overrides=server_book),
                          sdk.calculate_cost(*args, provider=provider, at=at, overrides=client_book),
                          ("override", args, provider, at))  # fmt: skip


def _token_priced_only(model: types.ModelInfo) -> bool:
    """Models whose every price is per token and not by time of day (what a span can be priced by)."""
    keys = {"input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok"}
    prices = [model.prices] if isinstance(model.prices, types.ModelPrice) else [c.prices for c in model.prices]
    timed = isinstance(model.prices, list) and any(isinstance(c.constraint, types.TimeOfDateConstraint)
                                                   for c in model.prices)  # fmt: skip
    return not timed and all({k for k, v in vars(p).items() if v is not None} <= keys for p in prices)


def test_every_token_priced_model_costs_what_genai_prices_computes() -> None:
    table = packaged_table()
    ours = {v: k for k, v in table.source_providers.items()}
    checked = 0
    for provider in data_snapshot.get_snapshot().providers:
        if provider.id not in ours:
            continue
        for model in provider.models:
            if not _token_priced_only(model) or not _found_by_its_id(provider, model):
                continue
            for at in _instants(model)[1:] or [datetime(2025, 11, 1, tzinfo=UTC)]:
                mixes = ((1200, 300, 1024, 0), (250_000, 1000, 100_000, 5000), (7, 0, 0, 0), (0, 9, 0, 0))
                for inp, out, cr, cw in mixes:
                    got = calculate_cost(model.id, inp, out, cr, cw, provider=ours[provider.id], at=at)
                    assert got.priced, (model.id, got.reason)
                    want = genai_usd(model.id, provider.id, inp, out, cr, cw, at=at)
                    assert got.usd == want, (provider.id, model.id, inp, at)
                    checked += 1
    assert checked > 1000


def _found_by_its_id(provider: types.Provider, model: types.ModelInfo) -> bool:
    try:
        return data_snapshot.get_snapshot().find_provider_model(model.id, None, provider.id, None)[1] is model
    except LookupError:
        return False
