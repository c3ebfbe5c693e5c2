"""StorageSettings from the environment, and clients from connect()."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from workers.storage.clickhouse import StorageSettings, connect, disconnect

ENV = ("PYFLARE_CLICKHOUSE_URL", "PYFLARE_CLICKHOUSE_DATABASE", "PYFLARE_RETENTION_DAYS", "PYFLARE_DATA_DIR")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_put_chdb_under_home(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("HOME", str(tmp_path))
    settings = StorageSettings.from_env()
    assert settings.url == f"chdb://{tmp_path.resolve()}/.pyflare/clickhouse"
    assert settings.database == "pyflare"
    assert settings.retention_days == 30
    assert settings.chdb_path == tmp_path.resolve() / ".pyflare" / "clickhouse"


def test_relative_data_dir_becomes_absolute(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.chdir(tmp_path)
    clean_env.setenv("PYFLARE_DATA_DIR", "data")
    assert StorageSettings.from_env().url == f"chdb://{tmp_path.resolve()}/data/clickhouse"


def test_environment_overrides(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PYFLARE_CLICKHOUSE_URL", "https://ingest:s3cret@ch.example:8443")
    clean_env.setenv("PYFLARE_CLICKHOUSE_DATABASE", "observability")
    clean_env.setenv("PYFLARE_RETENTION_DAYS", "90")
    settings = StorageSettings.from_env()
    assert settings == StorageSettings("https://ingest:s3cret@ch.example:8443", "observability", 90)
    assert not settings.is_embedded


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PYFLARE_RETENTION_DAYS", "a month", "whole number of days"),
        ("PYFLARE_RETENTION_DAYS", "0", "at least 1"),
        ("PYFLARE_CLICKHOUSE_URL", "tcp://ch:9000", "chdb://, http:// or https://"),
        ("PYFLARE_CLICKHOUSE_DATABASE", "drop table;", "invalid ClickHouse database name"),
    ],
)
def test_bad_settings_are_refused(clean_env: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        StorageSettings.from_env()


def test_connect_creates_the_database_and_uses_it(ch_client: Client, ch_settings: StorageSettings) -> None:
    assert ch_client.command("SELECT currentDatabase()") == ch_settings.database
    ch_client.command("CREATE TABLE probe (n UInt8) ENGINE = Memory")
    rows = ch_client.query(
        "SELECT database FROM system.tables WHERE name = 'probe' AND database = {db:String}",
        parameters={"db": ch_settings.database},
    ).result_rows
    assert rows == [(ch_settings.database,)]


def test_chdb_clients_are_shared_per_database(ch_client: Client, ch_settings: StorageSettings) -> None:
    assert connect(ch_settings) is ch_client
    other = StorageSettings(ch_settings.url, database=ch_settings.database + "_other")
    try:
        other_client = connect(other)
        assert other_client is not ch_client
        assert other_client.command("SELECT currentDatabase()") == other.database
    finally:
        ch_client.command(f"DROP DATABASE IF EXISTS {other.database} SYNC")
        disconnect(other)


def test_one_chdb_client_serves_many_threads(ch_client: Client) -> None:
    ch_client.command("CREATE TABLE hits (thread UInt8, n UInt32) ENGINE = MergeTree ORDER BY (thread, n)")
    errors: list[BaseException] = []
    sums: dict[int, list[int]] = {}

    def work(thread: int) -> None:
        try:
            got = sums.setdefault(thread, [])
            for n in range(20):
                ch_client.insert("hits", [[thread, n]], column_names=["thread", "n"])
                # Different per thread and per call, so a result handed to the wrong caller shows.
                got.append(ch_client.query(f"SELECT sum(number) FROM numbers({thread * 1000 + n})").result_rows[0][0])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for thread, got in sums.items():
        assert got == [sum(range(thread * 1000 + n)) for n in range(20)]
    rows = ch_client.query("SELECT thread, count(), sum(n) FROM hits GROUP BY thread ORDER BY thread").result_rows
    assert rows == [(t, 20, sum(range(20))) for t in range(1, 5)]
