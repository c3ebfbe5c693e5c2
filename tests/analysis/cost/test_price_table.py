"""The packaged price table: one file, shipped by the SDK distribution, read by the server, valid."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workers.analysis.cost import PriceBook, packaged_table, packaged_table_bytes
from workers.analysis.cost.table import parse_table
from workers.telemetry import providers as telemetry_providers

SDK = Path(__file__).resolve().parents[3] / "sdk"
PRICE_FILE = SDK / "pyflare" / "cost_prices.json"


def test_server_reads_the_sdk_file_itself() -> None:
    assert packaged_table_bytes() == PRICE_FILE.read_bytes()


def test_the_sdk_distribution_ships_the_price_file(tmp_path: Path) -> None:
    # build_py is the step that decides which files go into the wheel
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(SDK / name, tmp_path / name)
    shutil.copytree(SDK / "pyflare", tmp_path / "pyflare", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "--build-lib", "out"],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    assert (tmp_path / "out" / "pyflare" / "cost_prices.json").read_bytes() == PRICE_FILE.read_bytes()


def test_every_entry_names_its_source_date_and_known_providers() -> None:
    doc = json.loads(PRICE_FILE.read_bytes())
    conventions = set(doc["providers"])
    for m in doc["models"]:
        assert m["source"].startswith("https://"), m["model"]
        assert len(m["as_of"]) == 10, m["model"]
        assert m["providers"] and set(m["providers"]) <= conventions, m["model"]


def test_provider_aliases_agree_with_the_span_normaliser() -> None:
    table = packaged_table()
    book = PriceBook()
    priced_providers = set(table.providers)
    for raw in telemetry_providers._ALIASES:
        expected = telemetry_providers.normalise_provider(raw)
        got = book.resolve("gpt-4o", raw).provider
        if expected in priced_providers or got in priced_providers:
            assert got == expected, raw


def test_no_name_is_ambiguous_for_a_provider() -> None:
    seen: dict[tuple[str, str], str] = {}
    for entry in packaged_table().entries:
        for name in (entry.model, *entry.aliases):
            for provider in entry.providers:
                assert (name, provider) not in seen, f"{name} for {provider}: {seen.get((name, provider))}"
                seen[(name, provider)] = entry.model


def test_lighter_alternatives_exist_and_are_cheaper_for_a_shared_provider() -> None:
    table = packaged_table()
    for entry in table.entries:
        if entry.lighter_alternative is None:
            continue
        lighter = table.entry(entry.lighter_alternative)
        assert set(entry.providers) & set(lighter.providers), entry.model
        now, alt = entry.periods[-1].rates, lighter.periods[-1].rates
        assert (
            alt.input <= now.input
            and alt.output <= now.output
            and (alt.input, alt.output)
            != (
                now.input,
                now.output,
            )
        ), entry.model


def test_periods_may_not_overlap() -> None:
    doc = json.loads(PRICE_FILE.read_bytes())
    doc["models"] = [
        {"model": "m", "providers": ["openai"], "prices": [
            {"effective_to": "2025-02-01", "input": 1, "output": 1},
            {"effective_from": "2025-01-15", "input": 2, "output": 2},
        ]},
    ]  # fmt: skip
    with pytest.raises(ValueError, match="overlap"):
        parse_table(doc)


@pytest.mark.parametrize("price", [-1, "0.0000001", "abc", 5000])
def test_prices_must_be_exact_and_in_range(price: object) -> None:
    doc = json.loads(PRICE_FILE.read_bytes())
    doc["models"] = [{"model": "m", "providers": ["openai"], "prices": [{"input": price, "output": 1}]}]
    with pytest.raises(ValueError, match="price"):
        parse_table(doc)


def test_every_source_provider_is_a_genai_prices_provider_and_a_known_convention() -> None:
    from genai_prices import data_snapshot

    table = packaged_table()
    ids = {p.id for p in data_snapshot.get_snapshot().providers}
    assert table.use_source and "+genai-prices." in table.version
    for ours, theirs in table.source_providers.items():
        assert theirs in ids, theirs
        assert ours in table.providers, ours
