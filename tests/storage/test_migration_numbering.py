"""Migration numbers only grow (workers/storage/migrations/README.md): the files against the
recorded shipping order, and the runner against a store that already applied higher numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from workers.storage import migrate
from workers.storage import migrations as migrations_package
from workers.storage.clickhouse import StorageSettings
from workers.storage.migrate import Migration, MigrationError

# The order migrations reached main, read from `git log --diff-filter=A -- workers/storage/migrations`
# when the rule was written. SHIPPED must keep starting with exactly this.
HISTORY = (
    "0001_spans", "0002_trace_summary", "0003_metrics", "0004_logs",
    "0005_feedback", "0010_costs", "0011_costs_hourly", "0020_drift_results",
    "0006_trace_summary_lean",
    "0040_span_content",
    "0021_costs_exact",
    "0022_costs_model_family",
    "0023_costs_response_id",
)


def numbering_problems(files: list[str], shipped: tuple[str, ...]) -> list[str]:
    problems = []
    if shipped[: len(HISTORY)] != HISTORY:
        problems.append("SHIPPED no longer starts with the recorded history")
    problems += [f"{mid} has no entry in SHIPPED" for mid in files if mid not in shipped]
    problems += [f"{mid} is in SHIPPED but has no file" for mid in shipped if mid not in files]
    problems += [f"{mid} is listed twice" for mid in sorted(set(shipped)) if shipped.count(mid) > 1]
    for i in range(len(HISTORY), len(shipped)):
        if any(shipped[i][:4] <= earlier[:4] for earlier in shipped[:i]):  # numbers: never reused
            problems.append(f"{shipped[i]} sorts below {max(shipped[:i])}, which shipped before it")
    return problems


def test_every_migration_file_follows_the_numbering_rule() -> None:
    files = sorted(p.stem for p in Path(migrations_package.__file__).parent.glob("[0-9]*.py"))
    assert numbering_problems(files, migrations_package.SHIPPED) == []


@pytest.mark.parametrize(
    ("added", "problem"),
    [
        ("0024_costs_region", "0024_costs_region sorts below 0040_span_content, which shipped before it"),
        ("0007_spans_extra", "0007_spans_extra sorts below 0040_span_content, which shipped before it"),
        ("0040_span_content_again", "0040_span_content_again sorts below 0040_span_content, which shipped"),
        ("0023_costs_region", "0023_costs_region sorts below 0040_span_content, which shipped before it"),
    ],
)
def test_a_new_migration_numbered_below_a_shipped_one_is_a_problem(added: str, problem: str) -> None:
    files = [*HISTORY, added]
    problems = numbering_problems(files, (*HISTORY, added))
    assert len(problems) == 1 and problems[0].startswith(problem)
    assert numbering_problems(files, HISTORY) == [f"{added} has no entry in SHIPPED"]


def test_a_new_migration_above_every_shipped_one_is_fine() -> None:
    assert numbering_problems([*HISTORY, "0041_x", "0050_y"], (*HISTORY, "0041_x", "0050_y")) == []


def test_rewriting_the_shipping_history_is_a_problem() -> None:
    reordered = (*HISTORY[:8], "0007_squeezed_in", *HISTORY[8:])  # would sort above everything before it
    assert numbering_problems(sorted(reordered), reordered)[0] == "SHIPPED no longer starts with the recorded history"


def test_only_the_migrations_shipped_before_the_rule_may_run_late() -> None:
    assert migrate.shipped_late() == {
        "0006_trace_summary_lean", "0021_costs_exact", "0022_costs_model_family", "0023_costs_response_id",
    }


def _new(mid: str) -> Migration:
    return Migration(mid, (f"CREATE TABLE IF NOT EXISTS t_{mid[:4]} (x UInt8) ENGINE = MergeTree ORDER BY x",))


def test_runner_refuses_a_migration_below_an_applied_one(ch_client: Client, ch_settings: StorageSettings) -> None:
    found = migrate.discover()
    migrate.apply(ch_client, ch_settings, migrations=found)
    with_low = sorted([*found, _new("0024_costs_region")], key=lambda m: m.id)
    assert migrate.out_of_order(ch_client, with_low) == ["0024_costs_region"]
    for plan in (True, False):
        with pytest.raises(MigrationError, match=rf"0024_costs_region sort below {max(m.id for m in found)}.*README"):
            migrate.apply(ch_client, ch_settings, plan=plan, migrations=with_low)
    assert not ch_client.query("EXISTS TABLE t_0024").result_rows[0][0]
    # numbered above everything applied, the same migration runs
    with_high = [*found, _new("9041_costs_region")]
    assert migrate.apply(ch_client, ch_settings, migrations=with_high) == ["9041_costs_region"]


def test_runner_still_applies_the_late_shipped_migrations(ch_client: Client, ch_settings: StorageSettings) -> None:
    # a store set up between 0040 and 0021 shipping: 0021-0023 still apply after 0040
    found = migrate.discover()
    shipped = list(migrations_package.SHIPPED)
    before = [m for m in found if shipped.index(m.id) < shipped.index("0021_costs_exact")]
    migrate.apply(ch_client, ch_settings, migrations=before)
    assert migrate.out_of_order(ch_client, found) == []
    assert migrate.apply(ch_client, ch_settings, migrations=found) == sorted(
        {m.id for m in found} - {m.id for m in before})  # 0021-0023, then what shipped after them
    assert migrate.check(ch_client, found)
