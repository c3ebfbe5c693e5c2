"""The ingest pricing stage: per-project books that follow the control plane, custom dimensions
from span attributes, and the `costs` table contract."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client

from tests.analysis.cost.prices import usd
from tests.costs.calls import Call, genai, payload, record
from tests.costs.pipeline import ingest
from tests.storage.spans import span_row, span_table
from workers.ingest.pricing import PricingWriter, ProjectBooks, SpanPricing, dimension_keys_from_env
from workers.storage.costs.rows import COST_SCHEMA
from workers.telemetry.batches import EmbeddingRecord

NOW = time.time_ns()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_books_follow_the_control_plane_at_each_refresh() -> None:
    overrides: dict[str, list[dict[str, Any]]] = {}
    clock = Clock()
    books = ProjectBooks(lambda: overrides, refresh_seconds=30, clock=clock)
    span = [genai("gpt-4o-mini", "openai", 1_000_000, 0)]
    assert _price(books, "acme", span) == usd(1_000_000, "0.15")
    overrides["acme"] = [{"model": "gpt-4o-mini", "input": "0.10", "output": "0.40"}]
    clock.now = 29
    assert _price(books, "acme", span) == usd(1_000_000, "0.15")  # not refreshed yet
    clock.now = 30
    assert _price(books, "acme", span) == usd(1_000_000, "0.10")
    assert _price(books, "other", span) == usd(1_000_000, "0.15")  # other projects keep the table


def test_a_failing_or_invalid_control_plane_never_stops_pricing(caplog: pytest.LogCaptureFixture) -> None:
    state: dict[str, Any] = {"fail": False, "rows": [{"model": "gpt-4o-mini", "input": "0.10", "output": "0.40"}]}

    def load() -> Mapping[str, Sequence[Mapping[str, Any]]]:
        if state["fail"]:
            raise ConnectionError("control plane down")
        return {"acme": state["rows"]}

    clock = Clock()
    books = ProjectBooks(load, refresh_seconds=1, clock=clock)
    span = [genai("gpt-4o-mini", "openai", 1_000_000, 0)]
    assert _price(books, "acme", span) == usd(1_000_000, "0.10")
    state["fail"], clock.now = True, 5
    assert _price(books, "acme", span) == usd(1_000_000, "0.10")  # last known prices kept
    assert "control plane down" in caplog.text
    state["fail"], state["rows"], clock.now = False, [{"model": "x", "input": "-1", "output": "1"}], 10
    assert _price(books, "acme", span) == usd(1_000_000, "0.15")  # invalid overrides: the packaged table
    assert "invalid" in caplog.text


def _price(books: ProjectBooks, project: str, attributes: list[dict[str, Any]]) -> Decimal | None:
    rows = [span_row(project=project, trace_id=f"{i:032x}", span_id=f"{i:016x}", model_id=a["gen_ai.request.model"],
                     provider=a["gen_ai.provider.name"], input_tokens=a["gen_ai.usage.input_tokens"],
                     output_tokens=a["gen_ai.usage.output_tokens"]) for i, a in enumerate(attributes)]  # fmt: skip
    spans, _costs = SpanPricing(books).price(span_table(rows))
    return spans["cost_usd"][0].as_py()


def test_custom_dimensions_come_from_the_configured_attribute_keys(
    ch_migrated: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYFLARE_COST_DIMENSIONS", "customer.tier, app.region,customer.tier")
    keys = dimension_keys_from_env()
    assert keys == ("customer.tier", "app.region")
    calls = [Call({**genai("gpt-4o-mini", "openai", 10, 1), "customer.tier": "gold", "app.region": "eu"}, NOW),
             Call({**genai("gpt-4o-mini", "openai", 10, 1), "app.region": "us", "other": "x"}, NOW),
             Call(genai("gpt-4o-mini", "openai", 10, 1), NOW)]  # fmt: skip
    ingest(ch_migrated, [payload(record(calls, "acme"))], SpanPricing(ProjectBooks(), keys))
    stored = ch_migrated.query("SELECT dimensions FROM costs ORDER BY length(dimensions) DESC").result_rows
    assert [dict(r[0]) for r in stored] == [{"customer.tier": "gold", "app.region": "eu"}, {"app.region": "us"}, {}]


class Recorder:
    def __init__(self) -> None:
        self.writes: list[tuple[str, int]] = []

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[EmbeddingRecord]) -> None:
        self.writes.append((signal, table.num_rows))


def test_the_writer_prices_traces_only_and_writes_costs_after_spans() -> None:
    inner = Recorder()
    writer = PricingWriter(inner, SpanPricing())
    rows = [span_row(model_id="gpt-4o", provider="openai", input_tokens=5, output_tokens=5),
            span_row(trace_id="f" * 32, span_id="1" * 16)]  # fmt: skip
    writer.write("traces", span_table(rows), [])
    writer.write("metrics", pa.table({"x": [1, 2, 3]}), [])
    assert inner.writes == [("traces", 2), ("costs", 1), ("metrics", 3)]


def test_costs_table_matches_the_row_contract(ch_migrated: Client) -> None:
    columns = ch_migrated.query(
        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'costs' ORDER BY position"
    ).result_rows
    assert [c[0] for c in columns] == [*COST_SCHEMA.names, "_inserted_at"]


def test_one_batch_of_several_projects_prices_each_with_its_own_book(ch_migrated: Client) -> None:
    overrides = {"acme": [{"model": "gpt-4o-mini", "input": "0.10", "output": "0.40"}],
                 "zeta": [{"model": "mystery", "input": "1", "output": "1"}]}  # fmt: skip
    pricing = SpanPricing(ProjectBooks(lambda: overrides, refresh_seconds=60))
    call = [Call(genai("gpt-4o-mini", "openai", 1_000_000, 0), NOW), Call(genai("mystery", "x", 1_000_000, 0), NOW)]
    ingest(ch_migrated, [payload(record(call, p)) for p in ("acme", "zeta", "plain")], pricing)
    got = ch_migrated.query("SELECT project, model_id, cost_usd FROM spans ORDER BY project, model_id").result_rows
    assert got == [("acme", "gpt-4o-mini", usd(1_000_000, "0.10")), ("acme", "mystery", None),
                   ("plain", "gpt-4o-mini", usd(1_000_000, "0.15")), ("plain", "mystery", None),
                   ("zeta", "gpt-4o-mini", usd(1_000_000, "0.15")), ("zeta", "mystery", usd(1_000_000, "1"))]
    assert pricing.stats.unpriced_models == {("acme", "mystery", "x"): 1, ("plain", "mystery", "x"): 1}
    reasons = ch_migrated.query("SELECT project, price_id, unpriced_reason != '' FROM costs WHERE model_id = 'mystery' "
                                "ORDER BY project").result_rows  # fmt: skip
    assert [(r[0], r[1].startswith("override:"), r[2]) for r in reasons] == [
        ("acme", False, True), ("plain", False, True), ("zeta", True, False)]  # fmt: skip


def test_an_embedding_batch_is_priced_at_ingest() -> None:
    # Regression: every row had input tokens and none had output tokens -> all stored unpriced.
    rows = [span_row(project="acme", trace_id=f"{i:032x}", span_id=f"{i:016x}", model_id="text-embedding-3-small",
                     provider="openai", input_tokens=tokens, output_tokens=None)
            for i, tokens in enumerate([10, 8_000, 1_000_000])]  # fmt: skip
    spans, costs = SpanPricing(ProjectBooks()).price(span_table(rows))
    assert spans["cost_usd"].to_pylist() == [usd(t, "0.02") for t in (10, 8_000, 1_000_000)]  # exact: $0.0000002
    assert costs is not None
    assert costs["priced"].to_pylist() == [1, 1, 1]
    # exact: the 10-token call costs $0.0000002, not $0
    assert costs["total_cost_usd"].to_pylist() == [usd(t, "0.02") for t in (10, 8_000, 1_000_000)]


def test_the_response_id_is_read_from_the_attributes_of_each_span() -> None:
    rows = [span_row(project="acme", trace_id=f"{i:032x}", span_id=f"{i:016x}", model_id="gpt-4o-mini",
                     provider="openai", input_tokens=10, output_tokens=1, attributes=attributes)
            for i, attributes in enumerate([{"gen_ai.response.id": "r1", "x": "1"}, {"x": "2"},
                                            {"a": "b", "gen_ai.response.id": "r3"}, {}])]  # fmt: skip
    table = span_table(rows)
    _spans, costs = SpanPricing(ProjectBooks()).price(table)
    assert costs is not None and costs["response_id"].to_pylist() == ["r1", "", "r3", ""]
    _spans, costs = SpanPricing(ProjectBooks()).price(table.slice(1))  # a slice keeps its own rows' ids
    assert costs is not None and costs["response_id"].to_pylist() == ["", "r3", ""]
