"""0006_trace_summary_lean: summaries written under the old shape are rebuilt from spans, exactly."""

from __future__ import annotations

import random
import time
from decimal import Decimal

import pyarrow as pa
from clickhouse_connect.driver.client import Client

from tests.storage.test_duplicates import HOUR_NS, deliver_with_duplicates, expected_summaries, random_traces
from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings
from workers.storage.costs.reprice import rebuild_trace_summaries
from workers.storage.traces.reader import ClientReader
from workers.storage.traces.reads import trace_summaries

LEAN = "0006_trace_summary_lean"
EXACT = "0041_spans_cost_exact"  # spans.cost_micros became cost_usd: applied last here
OLD_STATES = {"span_ids", "error_span_ids", "root_span", "models", "services"}


def columns(client: Client) -> set[str]:
    rows = client.query(
        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'trace_summary'"
    ).result_rows
    return {r[0] for r in rows}


def micro_dollars(rows: list[dict]) -> list[dict]:
    """The rows with whole micro-dollar costs, as spans stored them before 0041."""
    for row in rows:
        if row.get("cost_usd") is not None:
            row["cost_usd"] = row["cost_usd"].quantize(Decimal("1e-6"))
    return rows


def before_exact(table: pa.Table) -> pa.Table:
    """A spans batch with the columns of the table before 0041 (cost_micros)."""
    index = table.schema.get_field_index("cost_usd")
    micros = [None if c is None else int(c * 1_000_000) for c in table["cost_usd"].to_pylist()]
    return table.set_column(index, pa.field("cost_micros", pa.uint64()), pa.array(micros, pa.uint64()))


def summaries(client: Client, project: str = "demo") -> dict:
    return {s.trace_id: s for s in trace_summaries(ClientReader(client), project, limit=10_000)}


def test_migration_backfills_summaries_written_under_the_old_shape(
    ch_client: Client, ch_settings: StorageSettings
) -> None:
    found = migrate.discover()
    before = [m for m in found if m.id < LEAN]
    assert [m.id[:4] for m in before] == ["0001", "0002", "0003", "0004", "0005"]
    migrate.apply(ch_client, ch_settings, migrations=before)
    assert columns(ch_client) >= OLD_STATES and "span_set" not in columns(ch_client)

    rng = random.Random(23)
    base = time.time_ns() - 5 * HOUR_NS
    rows = micro_dollars(random_traces(rng, 60, base) + random_traces(rng, 8, base, project="other"))
    deliver_with_duplicates(ch_client, rows, rng, before_exact)
    # a trace whose spans are gone but whose old summary rows are not: nothing to rebuild it from
    gone = micro_dollars(random_traces(rng, 1, base))
    deliver_with_duplicates(ch_client, gone, rng, before_exact)
    ch_client.command(
        "ALTER TABLE spans DELETE WHERE trace_id = {t:String} SETTINGS mutations_sync = 2",
        parameters={"t": gone[0]["trace_id"]},
    )
    old_rows = ch_client.command("SELECT count() FROM trace_summary")
    assert old_rows > 0

    until_exact = [m for m in found if m.id < EXACT]  # what a store held before 0041 shipped
    assert migrate.apply(ch_client, ch_settings, migrations=until_exact) == [m.id for m in until_exact
                                                                             if m.id >= LEAN]  # fmt: skip
    assert migrate.check(ch_client, until_exact)
    assert OLD_STATES.isdisjoint(columns(ch_client)) and columns(ch_client) >= {"span_set", "usage"}
    assert ch_client.command("SELECT countIf(empty(finalizeAggregation(span_set))) FROM trace_summary") == 0

    # spans arriving after the migration go through the new view, duplicates included
    later = micro_dollars(random_traces(rng, 25, base))
    deliver_with_duplicates(ch_client, later + rng.sample(rows, 30), rng, before_exact)
    # every step may run again (a second runner, a retry after a failure): nothing changes
    lean = next(m for m in found if m.id == LEAN)
    for statement in lean.statements(ch_settings):
        ch_client.command(statement)
    ch_client.command("OPTIMIZE TABLE trace_summary FINAL")
    # reprice rebuilds hours with the view's own SELECT
    start = base - base % HOUR_NS
    rebuild_trace_summaries(ch_client, ["demo"], start, start + 6 * HOUR_NS)

    # the summaries are read in 0041's shape (exact costs), which rebuilds `usage` from the spans
    assert migrate.apply(ch_client, ch_settings)[0] == EXACT  # then what shipped after it
    expected = expected_summaries(rows + later)
    for project in ("demo", "other"):
        want = expected_summaries([r for r in rows + later if r["project"] == project])
        assert summaries(ch_client, project) == want
    assert gone[0]["trace_id"] not in summaries(ch_client)
    crossing = [t for t in expected if len({r["start_time"] // HOUR_NS for r in rows if r["trace_id"] == t}) > 1]
    assert crossing  # traces over two hours were backfilled into both hours' rows and merged back
    demo = expected_summaries([r for r in rows + later if r["project"] == "demo"])
    rebuild_trace_summaries(ch_client, ["demo"], start, start + 6 * HOUR_NS)
    assert summaries(ch_client) == demo
