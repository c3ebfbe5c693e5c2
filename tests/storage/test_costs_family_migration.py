"""0022_costs_model_family: rows stored before get their family from the name rules, the same family
the price table's rules give, and the rollup is rebuilt with the new dimension."""

from __future__ import annotations

from clickhouse_connect.driver.client import Client

from workers.analysis.cost import packaged_table
from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings
from workers.storage.costs import rollup

FAMILY = "0022_costs_model_family"
NAMES = ["gpt-4o-mini-2024-07-18", "gpt-4o-mini", "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
         "models/gemini-1.5-pro-002", "claude-3-5-sonnet-v2@20241022", " GPT-4o ", "mistral-large-latest",
         "acme-llm", "", "foo/"]  # fmt: skip


def test_old_rows_get_the_family_of_the_name_rules_and_the_rollup_rebuilds(
    ch_client: Client, ch_settings: StorageSettings
) -> None:
    found = migrate.discover()
    migrate.apply(ch_client, ch_settings, migrations=[m for m in found if m.id < FAMILY])
    for i, name in enumerate(NAMES):
        ch_client.command(
            "INSERT INTO costs (project, start_time, trace_id, span_id, model_id, total_cost_usd, version) "
            "VALUES ('acme', toDateTime64('2025-11-24 10:00:00', 9, 'UTC'), {t:String}, 's', {m:String}, 1, 1)",
            parameters={"t": f"t{i}", "m": name},
        )
    ch_client.command("INSERT INTO costs_rollup_state VALUES ('costs_hourly', now64(3), now64(3), 1)")
    assert rollup.read_state(ch_client).settled_until_ns > 0

    migrate.apply(ch_client, ch_settings)
    got = dict(ch_client.query("SELECT model_id, model_family FROM costs FINAL").result_rows)
    table = packaged_table()
    assert got == {name: table.family(name) for name in NAMES}
    assert got["gpt-4o-mini-2024-07-18"] == got["gpt-4o-mini"] == "gpt-4o-mini"
    assert rollup.read_state(ch_client).settled_until_ns == 0  # the next settle rebuilds every day
    rollup.settle(ch_client)
    families = ch_client.query("SELECT value, sum(requests) FROM costs_hourly WHERE dimension = 'model_family' "
                               "GROUP BY value ORDER BY value").result_rows  # fmt: skip
    assert dict(families)["gpt-4o-mini"] == 2
