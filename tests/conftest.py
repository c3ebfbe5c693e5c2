"""Fixtures shared by the whole suite.

ClickHouse: one chdb engine directory per test session (chdb opens a single directory per
process), one fresh database per test. Real services (Kafka, collector, Redis, PostgreSQL) come
from tests/fixtures/services.py, started on first use.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings, connect, disconnect

pytest_plugins = ["tests.fixtures.services", "tests.fixtures.control_db"]


@pytest.fixture(scope="session")
def chdb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture
def ch_settings(chdb_dir: Path) -> StorageSettings:
    return StorageSettings(url=f"chdb://{chdb_dir}", database=f"test_{uuid.uuid4().hex[:12]}", retention_days=30)


@pytest.fixture
def ch_client(ch_settings: StorageSettings) -> Iterator[Client]:
    """A client on a fresh, empty database that is dropped after the test."""
    client = connect(ch_settings)
    try:
        yield client
    finally:
        client.command(f"DROP DATABASE IF EXISTS `{ch_settings.database}` SYNC")
        disconnect(ch_settings)


@pytest.fixture
def ch_migrated(ch_client: Client, ch_settings: StorageSettings) -> Client:
    """`ch_client` with every migration applied."""
    migrate.apply(ch_client, ch_settings)
    return ch_client
