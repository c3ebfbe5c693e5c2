"""0041_spans_cost_exact: spans' micro-dollar costs become exact Decimal dollars (old rows keep their
values), spans get their response id, and trace summaries sum the exact costs."""

from __future__ import annotations

from decimal import Decimal

from clickhouse_connect.driver.client import Client

from tests.storage.test_costs_exact_migration import columns
from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings
from workers.storage.traces.reader import ClientReader
from workers.storage.traces.reads import trace_summaries

EXACT = "0041_spans_cost_exact"


def _old_spans(client: Client) -> None:
    """30 spans in 3 traces as the writer before 0041 stored them (every 3rd unpriced)."""
    client.command("""
        INSERT INTO spans (project, trace_id, span_id, start_time, end_time, input_tokens, output_tokens,
                           cost_micros, attributes)
        SELECT 'acme', concat('t', toString(number % 3)), hex(number),
               toStartOfHour(now64(9)) - 3600 + number, toStartOfHour(now64(9)) - 3600
               + number + 1, 10, 5, if(number % 3 = 2, NULL, 1000 + number),
               if(number = 4, map('gen_ai.response.id', 'resp-4'), map())
        FROM numbers(30)""")


def test_micro_dollar_span_costs_read_as_exact_dollars_after_the_migration(
    ch_client: Client, ch_settings: StorageSettings
) -> None:
    found = migrate.discover()
    migrate.apply(ch_client, ch_settings, migrations=[m for m in found if m.id < EXACT])
    _old_spans(ch_client)
    want = {f"t{t}": sum(Decimal(1000 + n) for n in range(30) if n % 3 == t) / 10**6 for t in (0, 1)}

    assert EXACT in migrate.apply(ch_client, ch_settings)
    cols = columns(ch_client, "spans")
    assert "cost_micros" not in cols
    assert cols["cost_usd"] == "Nullable(Decimal(38, 12))" and cols["response_id"] == "String"
    got = ch_client.query("SELECT trace_id, sum(cost_usd), countIf(cost_usd IS NULL) FROM spans FINAL "
                          "GROUP BY trace_id ORDER BY trace_id").result_rows  # fmt: skip
    assert got == [("t0", want["t0"], 0), ("t1", want["t1"], 0), ("t2", None, 10)]
    stored = ch_client.query("SELECT span_id, response_id FROM spans WHERE response_id != ''").result_rows
    assert stored == [("04", "resp-4")]  # hex(4)
    summaries = {s.trace_id: s for s in trace_summaries(ClientReader(ch_client), "acme", limit=10)}
    assert {t: s.cost_usd for t, s in summaries.items()} == {"t0": want["t0"], "t1": want["t1"], "t2": None}
    assert {s.span_count for s in summaries.values()} == {10}

    # a later insert carries exact values, and its summary sums them exactly
    ch_client.command("INSERT INTO spans (project, trace_id, span_id, start_time, end_time, input_tokens, cost_usd, "
                      "attributes) VALUES ('acme', 'tx', 's1', now64(9), now64(9), 10, 0.000000000002, "
                      "map('gen_ai.response.id', 'r')), ('acme', 'tx', 's2', now64(9), now64(9), 10, 0.000000000003, "
                      "map())")  # fmt: skip
    (tx,) = trace_summaries(ClientReader(ch_client), "acme", trace_ids=["tx"])
    assert tx.cost_usd == Decimal("0.000000000005")
    assert ch_client.command("SELECT response_id FROM spans WHERE span_id = 's1'") == "r"
    # each statement may run again (a second runner): nothing fails, nothing changes
    again = next(m for m in found if m.id == EXACT)
    for statement in again.statements(ch_settings):
        ch_client.command(statement)
    summaries = {s.trace_id: s.cost_usd for s in trace_summaries(ClientReader(ch_client), "acme", limit=10)}
    assert summaries == {"t0": want["t0"], "t1": want["t1"], "t2": None, "tx": Decimal("0.000000000005")}
    assert Decimal(ch_client.command("SELECT sum(cost_usd) FROM spans FINAL WHERE trace_id = 't0'")) == want["t0"]


def test_one_provider_call_twice_in_a_trace_is_summed_once(ch_migrated: Client) -> None:
    ch_migrated.command("INSERT INTO spans (project, trace_id, span_id, start_time, end_time, input_tokens, "
                        "cost_usd, attributes) VALUES "
                        "('acme', 'td', 'a', now64(9), now64(9), 10, 0.25, map('gen_ai.response.id', 'r1')), "
                        "('acme', 'td', 'b', now64(9), now64(9), 10, 0.25, map('gen_ai.response.id', 'r1')), "
                        "('acme', 'td', 'c', now64(9), now64(9), 10, 0.125, map())")  # fmt: skip
    (td,) = trace_summaries(ClientReader(ch_migrated), "acme", trace_ids=["td"])
    assert (td.cost_usd, td.span_count) == (Decimal("0.375"), 3)
