"""The ClickHouse migration runner: applies numbered migrations and records them.

History lives in `schema_migrations` (id, checksum of the migration's SQL text, applied_at).
`apply(plan=True)` lists what would run; `check` is false when something is pending or an applied
migration's SQL changed since. Run as `python -m workers.storage.migrate [--plan|--check]`.

Numbers only grow (migrations/README.md): a pending migration that sorts below the highest applied
one is refused, except the few that shipped that way before the rule (`migrations.SHIPPED`).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import pkgutil
import re
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

from workers.storage import migrations as migrations_package
from workers.storage.clickhouse import StorageSettings, connect

HISTORY_TABLE = "schema_migrations"
_ID = re.compile(r"^\d{4}_[a-z0-9_]+$")
_HISTORY_DDL = f"""
CREATE TABLE IF NOT EXISTS {HISTORY_TABLE}
(
    id String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY id
"""


class MigrationError(RuntimeError):
    """A migration could not be loaded or applied, or applied history no longer matches the files."""


@dataclass(frozen=True)
class Migration:
    id: str
    sql: tuple[str, ...]

    @property
    def checksum(self) -> str:
        # Over the template, so changing PYFLARE_RETENTION_DAYS is not mistaken for tampering.
        return hashlib.sha256("\n;\n".join(s.strip() for s in self.sql).encode()).hexdigest()

    def statements(self, settings: StorageSettings) -> list[str]:
        return [s.replace("{retention_days}", str(settings.retention_days)) for s in self.sql]


def discover() -> list[Migration]:
    """All migrations in `workers/storage/migrations`, in id order."""
    found: list[Migration] = []
    for module_info in pkgutil.iter_modules(migrations_package.__path__):
        if not _ID.match(module_info.name):
            raise MigrationError(f"migration file {module_info.name}.py must be named NNNN_lower_name.py")
        module = importlib.import_module(f"{migrations_package.__name__}.{module_info.name}")
        sql = getattr(module, "SQL", None)
        if not isinstance(sql, list) or not sql or not all(isinstance(s, str) for s in sql):
            raise MigrationError(f"migration {module_info.name} must define SQL: list[str] with statements")
        found.append(Migration(module_info.name, tuple(sql)))
    found.sort(key=lambda m: m.id)
    numbers = [m.id[:4] for m in found]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise MigrationError(f"two migrations share the number(s) {', '.join(duplicates)}")
    return found


def applied(client: Client) -> dict[str, str]:
    """Applied migration id -> recorded checksum (empty when nothing was ever applied)."""
    if not client.query(f"EXISTS TABLE {HISTORY_TABLE}").result_rows[0][0]:
        return {}
    rows = client.query(f"SELECT id, checksum FROM {HISTORY_TABLE} FINAL ORDER BY id").result_rows
    return {row[0]: row[1] for row in rows}


def pending(client: Client, migrations: Sequence[Migration] | None = None) -> list[str]:
    done = applied(client)
    return [m.id for m in _or_discover(migrations) if m.id not in done]


def changed(client: Client, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Ids of applied migrations whose SQL differs from what was applied (or whose file is gone)."""
    current = {m.id: m.checksum for m in _or_discover(migrations)}
    return [mid for mid, checksum in applied(client).items() if current.get(mid) != checksum]


def shipped_late() -> frozenset[str]:
    """The migrations that shipped after a higher-numbered one (before the numbering rule)."""
    shipped = migrations_package.SHIPPED
    return frozenset(mid for i, mid in enumerate(shipped) if any(mid < earlier for earlier in shipped[:i]))


def out_of_order(client: Client, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Pending ids that sort below the highest applied id (they would run in a different order here
    than on a fresh database), apart from the recorded `shipped_late()` ones."""
    done = applied(client)
    if not done:
        return []
    highest = max(done)
    late = shipped_late()
    return [mid for mid in pending(client, migrations) if mid < highest and mid not in late]


def check(client: Client, migrations: Sequence[Migration] | None = None) -> bool:
    """True when every migration is applied and none changed since it was applied."""
    found = _or_discover(migrations)
    return not pending(client, found) and not changed(client, found)


def apply(
    client: Client,
    settings: StorageSettings,
    plan: bool = False,
    migrations: Sequence[Migration] | None = None,
) -> list[str]:
    """Apply pending migrations in order; return their ids (with plan=True, only list them).

    Refuses to run when an applied migration changed (that history can no longer be trusted) or
    when a pending one sorts below an applied one (it would build a different schema here).
    Two runners at once take turns (`_runner_lock`): a migration's steps are each safe to repeat but
    not to interleave with another runner's (one drops a column the other's next step reads).
    """
    found = _or_discover(migrations)
    drifted = changed(client, found)
    if drifted:
        raise MigrationError(
            f"applied migration(s) {', '.join(drifted)} changed since they ran; "
            "restore the original SQL and add a new migration instead"
        )
    behind = out_of_order(client, found)
    if behind:
        raise MigrationError(
            f"migration(s) {', '.join(behind)} sort below {max(applied(client))}, which is already applied; "
            "a new migration takes a number above every shipped one (workers/storage/migrations/README.md)"
        )
    todo = [m for m in found if m.id in set(pending(client, found))]
    if plan or not todo:
        return [m.id for m in todo]
    client.command(_HISTORY_DDL)
    with _runner_lock(client):
        todo = [m for m in found if m.id in set(pending(client, found))]  # another runner may have applied some
        for migration in todo:
            for statement in migration.statements(settings):
                try:
                    client.command(statement)
                except Exception as exc:
                    raise MigrationError(f"migration {migration.id} failed: {exc}") from exc
            client.insert(HISTORY_TABLE, [[migration.id, migration.checksum]], column_names=["id", "checksum"])
    return [m.id for m in todo]


LOCK_TABLE = "schema_migrations_lock"
LOCK_WAIT_S = 900.0  # a large MATERIALIZE COLUMN can take minutes
LOCK_STALE_S = 600.0  # a lock this old belongs to a runner that died: it is broken


@contextmanager
def _runner_lock(client: Client) -> Iterator[None]:
    """One migration runner at a time, across processes: CREATE TABLE of the lock table succeeds for
    one runner only (the table's comment records when it was taken); it is dropped when done."""
    deadline = time.monotonic() + LOCK_WAIT_S
    token = uuid.uuid4().hex
    while True:
        try:
            stamp = f"{token} {time.time():.0f}"
            client.command(f"CREATE TABLE {LOCK_TABLE} (held UInt8) ENGINE = Memory COMMENT '{stamp}'")
            break
        except Exception as exc:
            if "already exists" not in str(exc).lower() and "TABLE_ALREADY_EXISTS" not in str(exc):
                raise MigrationError(f"could not take the migration lock ({LOCK_TABLE}): {exc}") from exc
        taken = _lock_taken_at(client)
        if taken is not None and time.time() - taken > LOCK_STALE_S:
            client.command(f"DROP TABLE IF EXISTS {LOCK_TABLE}")
            continue
        if time.monotonic() > deadline:
            raise MigrationError(
                f"another migration runner has held {LOCK_TABLE} for over {LOCK_WAIT_S:.0f} s; "
                f"if it died, DROP TABLE {LOCK_TABLE} and run again"
            )
        time.sleep(0.2)
    try:
        yield
    finally:
        client.command(f"DROP TABLE IF EXISTS {LOCK_TABLE}")


def _lock_taken_at(client: Client) -> float | None:
    rows = client.query(
        "SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = {t:String}",
        parameters={"t": LOCK_TABLE},
    ).result_rows
    try:
        return float(rows[0][0].split()[1]) if rows else None
    except (IndexError, ValueError):
        return None


def _or_discover(migrations: Sequence[Migration] | None) -> list[Migration]:
    return list(migrations) if migrations is not None else discover()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Apply PyFlare's ClickHouse migrations.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true", help="list the migrations that would run")
    mode.add_argument("--check", action="store_true", help="exit 1 if anything is pending or changed")
    args = parser.parse_args(argv)
    settings = StorageSettings.from_env()
    client = connect(settings)
    if args.check:
        problems = [f"pending: {mid}" for mid in pending(client)] + [f"changed: {m}" for m in changed(client)]
        problems += [f"out of order: {mid}" for mid in out_of_order(client)]
        print("\n".join(problems) or "schema up to date")
        return 1 if problems else 0
    ids = apply(client, settings, plan=args.plan)
    verb = "would apply" if args.plan else "applied"
    print(f"{verb}: {', '.join(ids)}" if ids else "nothing to apply")
    return 0


if __name__ == "__main__":
    sys.exit(main())
