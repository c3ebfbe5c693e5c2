"""0021_costs_exact: micro-dollar costs become exact Decimal dollars, old rows keep their values."""

from __future__ import annotations

from decimal import Decimal

from clickhouse_connect.driver.client import Client

from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings

EXACT = "0021_costs_exact"
_OLD = ("input_cost_micros", "cache_cost_micros", "output_cost_micros", "total_cost_micros")


def columns(client: Client, table: str) -> dict[str, str]:
    rows = client.query("SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = "
                        "{t:String}", parameters={"t": table}).result_rows  # fmt: skip
    return {r[0]: r[1] for r in rows}


def test_micro_dollar_rows_read_as_exact_dollars_after_the_migration(
    ch_client: Client, ch_settings: StorageSettings
) -> None:
    found = migrate.discover()
    migrate.apply(ch_client, ch_settings, migrations=[m for m in found if m.id < EXACT])
    # 50 spans priced in micro-dollars, and their rollup row, as the code before 0021 wrote them
    ch_client.command("""
        INSERT INTO costs (project, start_time, trace_id, span_id, model_id, input_cost_micros, cache_cost_micros,
                           output_cost_micros, total_cost_micros, priced, version)
        SELECT 'acme', toDateTime64('2025-11-24 10:00:00', 9, 'UTC') + number, hex(number), hex(number), 'gpt-4o',
               7 * number, number, 1000001, 8 * number + 1000001, 1, 1
        FROM numbers(1, 50)""")
    ch_client.command("""
        INSERT INTO costs_hourly (project, hour, dimension, value, requests, total_cost_micros)
        SELECT project, toStartOfHour(start_time), '', '', count(), sum(total_cost_micros) FROM costs GROUP BY ALL""")
    want_total = sum(Decimal(8 * i + 1_000_001) for i in range(1, 51)) / 10**6

    assert migrate.apply(ch_client, ch_settings) == [m.id for m in found if m.id >= EXACT]
    for table in ("costs", "costs_hourly"):
        cols = columns(ch_client, table)
        assert not set(_OLD) & set(cols), table
        assert cols["total_cost_usd"] == "Decimal(38, 12)", table
    got = ch_client.query("SELECT sum(total_cost_usd), sum(cache_cost_usd), min(output_cost_usd) FROM costs FINAL")
    assert got.result_rows[0] == (want_total, Decimal(sum(range(1, 51))) / 10**6, Decimal("1.000001"))
    hourly = ch_client.query("SELECT sum(total_cost_usd) FROM costs_hourly WHERE dimension = ''").result_rows[0][0]
    assert hourly == want_total
    # a later insert carries exact values
    ch_client.command("INSERT INTO costs (project, start_time, trace_id, span_id, total_cost_usd, version) VALUES "
                      "('acme', now64(9), 't', 's', 0.000000000002, 1)")  # fmt: skip
    assert ch_client.command("SELECT toString(total_cost_usd) FROM costs WHERE trace_id = 't'") == "0.000000000002"
    # each statement may run again (a second runner): nothing fails, nothing changes
    again = next(m for m in found if m.id == EXACT)
    for statement in again.statements(ch_settings):
        ch_client.command(statement)
    assert Decimal(ch_client.command("SELECT sum(total_cost_usd) FROM costs FINAL WHERE trace_id != 't'")) == want_total
