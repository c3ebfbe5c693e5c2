"""`pyflare.cost.calculate_cost` (SDK, pure Python) and the server give the same answer everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyflare.cost as sdk
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
    got = (server.micros, server.input_micros, server.output_micros, server.cache_micros, server.priced,
           server.price_id, server.model, server.provider)  # fmt: skip
    want = (client.micros, client.input_micros, client.output_micros, client.cache_micros, client.priced,
            client.price_id, client.model, client.provider)  # fmt: skip
    assert got == want, context


def _instants(entry_periods: Any) -> list[datetime | None]:
    out: list[datetime | None] = [None]
    for p in entry_periods:
        if p.effective_from:
            out += [p.effective_from, p.effective_from - timedelta(microseconds=1)]
        if p.effective_to:
            out.append(p.effective_to - timedelta(seconds=1))
    return out


def test_every_name_provider_period_and_token_mix_of_the_table() -> None:
    checked = 0
    for entry in packaged_table().entries:
        for name in (entry.model, *entry.aliases):
            for provider in (None, *entry.providers):
                for at in _instants(entry.periods):
                    for tokens in TOKENS:
                        args = (name, *tokens)
                        _same(calculate_cost(*args, provider=provider, at=at),
                              sdk.calculate_cost(*args, provider=provider, at=at), (args, provider, at))  # fmt: skip
                        checked += 1
    assert checked > 4000


def test_probe_names_providers_and_overrides() -> None:
    server_book, client_book = PriceBook(overrides=OVERRIDES), sdk.PriceBook(OVERRIDES)
    instants = [
        *_instants(server_book.overrides[0].periods + server_book.overrides[1].periods),
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
