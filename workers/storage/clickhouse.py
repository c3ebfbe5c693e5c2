"""ClickHouse settings and connections for PyFlare.

One code path for both topologies: `chdb://<dir>` runs the ClickHouse engine in-process (embedded
mode), `http(s)://user:password@host:port` talks to a server. The client's default database is
PyFlare's, so all SQL uses unqualified table names.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from workers.env import env_str
from workers.storage.datadir import data_dir

_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class StorageSettings:
    url: str
    database: str = "pyflare"
    retention_days: int = 30

    def __post_init__(self) -> None:
        if not _DATABASE_NAME.match(self.database):
            raise ValueError(f"invalid ClickHouse database name {self.database!r}: use letters, digits and _")
        if self.retention_days < 1:
            raise ValueError(f"PYFLARE_RETENTION_DAYS must be at least 1, got {self.retention_days}")
        if urlparse(self.url).scheme not in ("chdb", "http", "https"):
            raise ValueError(f"PYFLARE_CLICKHOUSE_URL must start with chdb://, http:// or https://, got {self.url!r}")

    @classmethod
    def from_env(cls) -> StorageSettings:
        default_url = f"chdb://{data_dir() / 'clickhouse'}"
        days = env_str("PYFLARE_RETENTION_DAYS", "30")
        try:
            retention_days = int(days)
        except ValueError:
            raise ValueError(f"PYFLARE_RETENTION_DAYS must be a whole number of days, got {days!r}") from None
        return cls(
            url=env_str("PYFLARE_CLICKHOUSE_URL", "") or default_url,
            database=env_str("PYFLARE_CLICKHOUSE_DATABASE", "") or "pyflare",
            retention_days=retention_days,
        )

    @property
    def is_embedded(self) -> bool:
        return self.url.startswith("chdb:")

    @property
    def chdb_path(self) -> Path:
        """The engine directory of a `chdb://` URL, absolute and resolved."""
        if not self.is_embedded:
            raise ValueError(f"{self.url!r} is not a chdb:// URL")
        parsed = urlparse(self.url)
        return Path(unquote(parsed.netloc + parsed.path)).expanduser().resolve()


# chdb allows one engine directory per process; clients are cached so every caller in the
# process shares a handle per (directory, database) instead of opening new ones.
_chdb_clients: dict[tuple[Path, str], Client] = {}
_chdb_lock = threading.Lock()


def connect(settings: StorageSettings) -> Client:
    """A client whose default database is `settings.database`, created if missing.

    chdb clients are cached per process (thread-safe; the client serialises calls on its handle).
    HTTP clients are new on each call.
    """
    if settings.is_embedded:
        key = (settings.chdb_path, settings.database)
        with _chdb_lock:
            client = _chdb_clients.get(key)
            if client is None:
                settings.chdb_path.mkdir(parents=True, exist_ok=True)
                client = clickhouse_connect.get_client(dsn=f"chdb://{settings.chdb_path}")
                _use_database(client, settings.database)
                _chdb_clients[key] = client
            return client
    parsed = urlparse(settings.url)
    client = clickhouse_connect.get_client(
        host=parsed.hostname or "localhost",
        port=parsed.port or (8443 if parsed.scheme == "https" else 8123),
        username=unquote(parsed.username or "default"),
        password=unquote(parsed.password or ""),
        secure=parsed.scheme == "https",
    )
    _use_database(client, settings.database)
    return client


def open_client(settings: StorageSettings) -> Client:
    """A client of its own, never the process's shared one: for work that must not wait on others.

    A chdb client owns a handle with its own lock, so a long query on one cannot hold back an
    insert on another (the engine runs both at once). An HTTP client is a new session anyway.
    """
    if not settings.is_embedded:
        return connect(settings)
    connect(settings)  # opens the engine and creates the database once per process
    client = clickhouse_connect.get_client(dsn=f"chdb://{settings.chdb_path}")
    client.database = settings.database
    return client


def disconnect(settings: StorageSettings) -> None:
    """Close and forget the cached chdb client for these settings (no-op for HTTP)."""
    if not settings.is_embedded:
        return
    with _chdb_lock:
        client = _chdb_clients.pop((settings.chdb_path, settings.database), None)
    if client is not None:
        client.close()


def _use_database(client: Client, database: str) -> None:
    # Ask first: a server account may lack the CREATE grant for a database that already exists.
    if not client.query(f"EXISTS DATABASE `{database}`").result_rows[0][0]:
        client.command(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    client.database = database
