"""The migration runner: plan, apply, history, check, tampering, concurrent runners."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client

from workers.storage import migrate
from workers.storage import migrations as migrations_package
from workers.storage.clickhouse import StorageSettings
from workers.storage.migrate import Migration, MigrationError
from workers.storage.tables import TABLES

MIGRATION_FILES = sorted(p for p in Path(migrations_package.__file__).parent.glob("*.py") if p.name != "__init__.py")


def tables_in(client: Client) -> dict[str, str]:
    rows = client.query("SELECT name, engine FROM system.tables WHERE database = currentDatabase()").result_rows
    return {name: engine for name, engine in rows}


def test_discover_finds_every_file_in_order() -> None:
    assert [m.id for m in migrate.discover()] == [p.stem for p in MIGRATION_FILES]
    # four-digit numbers, unique and increasing; gaps are allowed (areas reserve number ranges)
    numbers = [int(p.stem[:4]) for p in MIGRATION_FILES]
    assert all(p.stem[4] == "_" for p in MIGRATION_FILES)
    assert numbers == sorted(set(numbers)) and numbers[0] == 1


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda p: p.stem)
def test_migrations_hold_their_own_sql(path: Path) -> None:
    # An old migration must not change when today's code changes: no imports at all.
    tree = ast.parse(path.read_text())
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def test_plan_lists_everything_and_creates_nothing(ch_client: Client, ch_settings: StorageSettings) -> None:
    assert migrate.apply(ch_client, ch_settings, plan=True) == [p.stem for p in MIGRATION_FILES]
    assert tables_in(ch_client) == {}
    assert not migrate.check(ch_client)


def test_apply_creates_the_registered_tables(ch_client: Client, ch_settings: StorageSettings) -> None:
    applied = migrate.apply(ch_client, ch_settings)
    assert applied == [p.stem for p in MIGRATION_FILES]
    assert tables_in(ch_client) == {spec.name: spec.engine for spec in TABLES.values()}
    assert migrate.pending(ch_client) == []
    assert migrate.check(ch_client)
    history = ch_client.query("SELECT id, checksum FROM schema_migrations FINAL ORDER BY id").result_rows
    assert history == [(m.id, m.checksum) for m in migrate.discover()]


def test_registry_names_the_migration_that_creates_each_table() -> None:
    ids = {m.id for m in migrate.discover()}
    for spec in TABLES.values():
        assert spec.created_by in ids | {"runner"}, spec.name
        if spec.created_by != "runner":
            sql = "\n".join(next(m for m in migrate.discover() if m.id == spec.created_by).sql)
            assert f" {spec.name} " in sql or f" {spec.name}\n" in sql, spec.name


def test_second_apply_does_nothing(ch_migrated: Client, ch_settings: StorageSettings) -> None:
    before = ch_migrated.command("SELECT count() FROM schema_migrations")
    assert migrate.apply(ch_migrated, ch_settings) == []
    assert migrate.apply(ch_migrated, ch_settings, plan=True) == []
    assert ch_migrated.command("SELECT count() FROM schema_migrations") == before


def test_new_migration_is_pending_then_applied(ch_client: Client, ch_settings: StorageSettings) -> None:
    found = migrate.discover()
    migrate.apply(ch_client, ch_settings, migrations=found[:2])
    assert migrate.pending(ch_client, found) == [m.id for m in found[2:]]
    assert not migrate.check(ch_client, found)
    assert migrate.apply(ch_client, ch_settings, migrations=found) == [m.id for m in found[2:]]
    assert migrate.check(ch_client, found)


def test_changed_migration_is_reported_and_blocks_apply(ch_migrated: Client, ch_settings: StorageSettings) -> None:
    found = migrate.discover()
    tampered = [*found[:-1], Migration(found[-1].id, (found[-1].sql[0] + " -- edited after release",))]
    assert migrate.changed(ch_migrated, tampered) == [found[-1].id]
    assert not migrate.check(ch_migrated, tampered)
    with pytest.raises(MigrationError, match=found[-1].id):
        migrate.apply(ch_migrated, ch_settings, migrations=tampered)


def test_tampered_history_is_reported(ch_migrated: Client) -> None:
    first = migrate.discover()[0].id
    ch_migrated.insert("schema_migrations", [[first, "0" * 64]], column_names=["id", "checksum"])
    assert migrate.changed(ch_migrated) == [first]
    assert not migrate.check(ch_migrated)


def test_retention_change_is_not_tampering(ch_migrated: Client, ch_settings: StorageSettings) -> None:
    longer = StorageSettings(ch_settings.url, ch_settings.database, retention_days=ch_settings.retention_days + 5)
    assert migrate.apply(ch_migrated, longer) == []
    assert migrate.check(ch_migrated)


def test_two_runners_at_once(ch_client: Client, ch_settings: StorageSettings, chdb_dir: Path) -> None:
    # Two separate clients (as two processes would have), started together.
    runners = [clickhouse_connect.get_client(dsn=f"chdb://{chdb_dir}", database=ch_settings.database) for _ in range(2)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(client: Client) -> None:
        try:
            barrier.wait()
            migrate.apply(client, ch_settings)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in runners:
        c.close()
    assert errors == []
    assert migrate.check(ch_client)
    assert tables_in(ch_client) == {spec.name: spec.engine for spec in TABLES.values()}


def test_a_held_lock_makes_a_runner_wait_and_a_stale_one_is_broken(
    ch_client: Client, ch_settings: StorageSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "LOCK_WAIT_S", 1.0)
    lock = f"CREATE TABLE {migrate.LOCK_TABLE} (held UInt8) ENGINE = Memory COMMENT 'other {{at}}'"
    ch_client.command(lock.format(at=f"{time.time():.0f}"))  # another runner, working now
    with pytest.raises(migrate.MigrationError, match=migrate.LOCK_TABLE):
        migrate.apply(ch_client, ch_settings)
    assert not migrate.check(ch_client)  # it waited, then ran nothing
    ch_client.command(f"DROP TABLE {migrate.LOCK_TABLE}")
    ch_client.command(lock.format(at=f"{time.time() - migrate.LOCK_STALE_S - 60:.0f}"))  # a runner that died
    assert migrate.apply(ch_client, ch_settings)
    assert migrate.check(ch_client)
    assert migrate.LOCK_TABLE not in tables_in(ch_client)


def test_bad_migration_reports_its_id(ch_client: Client, ch_settings: StorageSettings) -> None:
    broken = [Migration("0001_broken", ("CREATE TABLE IF NOT EXISTS nope (x NoSuchType) ENGINE = Memory",))]
    with pytest.raises(MigrationError, match="0001_broken"):
        migrate.apply(ch_client, ch_settings, migrations=broken)
    assert migrate.pending(ch_client, broken) == ["0001_broken"]


def test_cli_plan_and_check(
    ch_client: Client, ch_settings: StorageSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_URL", ch_settings.url)
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_DATABASE", ch_settings.database)
    assert migrate.main(["--check"]) == 1
    assert migrate.main(["--plan"]) == 0
    assert "would apply: 0001_spans" in capsys.readouterr().out
    assert migrate.main([]) == 0
    assert migrate.main(["--check"]) == 0
    assert "schema up to date" in capsys.readouterr().out
