"""Erase one project's telemetry: every registered ClickHouse table with a `project` column, and the
vector points whose payload names the project. Used when a project is deleted and again before its
slug is reused, so a new project with an old slug starts empty.

ClickHouse deletes are mutations (`ALTER TABLE … DELETE`), run with `mutations_sync = 2` so the call
returns when the rows are gone on every replica. The list of tables comes from the registry.
"""

from __future__ import annotations

from typing import Any

from workers.storage.tables import TABLES
from workers.storage.vectors.base import VectorStore


def project_tables(client: Any) -> list[str]:
    """Registered tables of the client's database that have a `project` column."""
    names = [spec.name for spec in TABLES.values() if spec.kind == "table"]
    rows = client.query(
        "SELECT DISTINCT table FROM system.columns WHERE database = currentDatabase() AND name = 'project'"
        " AND table IN {names:Array(String)}",
        parameters={"names": names},
    ).result_rows
    present = {str(row[0]) for row in rows}
    return [name for name in names if name in present]


def purge_project_telemetry(client: Any, project: str) -> list[str]:
    """Delete the project's rows from every table holding some; returns the tables that had rows."""
    purged: list[str] = []
    for table in project_tables(client):
        held = client.query(
            f"SELECT count() FROM `{table}` WHERE project = {{p:String}}", parameters={"p": project}
        ).result_rows[0][0]
        if not held:
            continue
        client.command(
            f"ALTER TABLE `{table}` DELETE WHERE project = {{p:String}}",
            parameters={"p": project},
            settings={"mutations_sync": 2},
        )
        purged.append(table)
    return purged


def purge_project_vectors(store: VectorStore, project: str) -> list[str]:
    """Delete the project's points from every collection; returns the collections touched."""
    touched: list[str] = []
    for collection in store.collections():
        if store.count(collection, {"project": project}):
            store.delete_where(collection, {"project": project})
            touched.append(collection)
    return touched
