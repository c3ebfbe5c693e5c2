"""The provider registry: each service is overridden for a block, overrides nest, and the default
comes back after the block, even when the block fails."""

from __future__ import annotations

import pytest

from webapp.api.providers import Provider, providers


def test_an_override_serves_its_getter_for_the_block_and_nests() -> None:
    made: list[str] = []
    provider: Provider[str] = Provider("demo", lambda: made.append("default") or "default")
    assert provider() == "default"
    with provider.override(lambda: "outer"):
        assert provider() == "outer"
        with provider.override(lambda: "inner"):
            assert provider() == "inner"
        assert provider() == "outer"
    assert provider() == "default"
    assert made == ["default", "default"]  # the default is called per use, never during an override


def test_the_default_comes_back_when_the_block_raises() -> None:
    provider: Provider[int] = Provider("demo", lambda: 1)
    with pytest.raises(RuntimeError), provider.override(lambda: 2):
        assert provider() == 2
        raise RuntimeError("the test failed")
    assert provider() == 1


def test_the_registry_names_the_three_services() -> None:
    assert [p.name for p in (providers.telemetry, providers.query_engine, providers.vector_store)] == [
        "telemetry", "query_engine", "vector_store",
    ]
    sentinel = object()
    with providers.vector_store.override(lambda: sentinel):  # type: ignore[arg-type,return-value]
        from webapp.drift.dispatch import _optional_vectors

        assert _optional_vectors() is sentinel  # what a drift run reaches
