"""Deleting a project erases its telemetry (every registered ClickHouse table with a `project` column,
and its Qdrant points), so a project created later with the same slug starts empty — on the real
ClickHouse engine (chdb) and the embedded Qdrant, through the API. Other projects keep theirs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from webapp.api.providers import providers
from webapp.api.telemetry import StorageUnavailable
from webapp.projects.models import DeletedProject, Project
from workers.storage.purge import project_tables
from workers.storage.tables import TABLES
from workers.storage.vectors import EdgeVectorStore, embedding_collection, embedding_point

SLUG = "reused"


@pytest.fixture
def vectors(tmp_path: Path) -> Iterator[EdgeVectorStore]:
    store = EdgeVectorStore(tmp_path / "qdrant")
    with providers.vector_store.override(lambda: store):
        yield store
    store.close()


def as_staff(world: World) -> APIClient:
    client = APIClient()
    client.force_login(world.staff)
    return client


def store_telemetry(client: Client, vectors: EdgeVectorStore, project: str) -> str:
    """A trace through the spans table (and its trace_summary view), a row in every other table that
    has a `project` column, and an embedding point. Returns the trace id."""
    trace_id = uuid.uuid4().hex
    client.insert_arrow("spans", span_table([span_row(project=project, trace_id=trace_id, span_id=uuid.uuid4().hex[:16],
                                                      name="root")]))  # fmt: skip
    for table in project_tables(client):
        if table in ("spans", "trace_summary"):
            continue
        times = [str(r[0]) for r in client.query(  # set to now: rows at the 1970 default would expire at insert
            "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {t:String}"
            " AND type LIKE 'DateTime%'", parameters={"t": table}).result_rows]  # fmt: skip
        columns = ", ".join(["project", *(f"`{c}`" for c in times)])
        values = ", ".join(["{p:String}", *("now64()" for _ in times)])
        client.command(f"INSERT INTO `{table}` ({columns}) SELECT {values}", parameters={"p": project})
    vectors.ensure_collection(embedding_collection(3), 3)
    vectors.upsert(embedding_collection(3), [embedding_point(
        project=project, model_id="m", trace_id=trace_id, span_id=uuid.uuid4().hex[:16], time_ns=1,
        embedding_type="input", vector=[0.1, 0.2, 0.3])])  # fmt: skip
    return trace_id


def rows_of(client: Client, project: str) -> dict[str, int]:
    return {
        table: int(client.query(f"SELECT count() FROM `{table}` WHERE project = {{p:String}}",
                                parameters={"p": project}).result_rows[0][0])
        for table in project_tables(client)
    }  # fmt: skip


def test_the_purge_covers_every_registered_table_with_a_project_column(telemetry_store: Client) -> None:
    columns = telemetry_store.query(
        "SELECT DISTINCT table FROM system.columns WHERE database = currentDatabase() AND name = 'project'"
    ).result_rows
    registered_tables = {name for name, spec in TABLES.items() if spec.kind == "table"}
    assert set(project_tables(telemetry_store)) == {str(r[0]) for r in columns} & registered_tables
    assert {"spans", "trace_summary", "metrics", "logs", "costs", "drift_results"} <= set(
        project_tables(telemetry_store)
    )


def test_a_reused_slug_starts_empty(world: World, telemetry_store: Client, vectors: EdgeVectorStore) -> None:
    staff = as_staff(world)
    assert staff.post("/api/v1/projects", {"slug": SLUG, "name": "First"}, format="json").status_code == 201
    old_trace = store_telemetry(telemetry_store, vectors, SLUG)
    kept_trace = store_telemetry(telemetry_store, vectors, "own")
    head = {"X-PyFlare-Project": SLUG}
    listed = staff.get("/api/v1/traces", headers=head)
    assert listed.status_code == 200 and [t["trace_id"] for t in listed.json()["traces"]] == [old_trace]
    before = rows_of(telemetry_store, SLUG)
    assert all(count > 0 for count in before.values()), before

    assert staff.delete(f"/api/v1/projects/{SLUG}", headers=head).status_code == 204
    assert not Project.objects.filter(slug=SLUG).exists()
    assert rows_of(telemetry_store, SLUG) == dict.fromkeys(project_tables(telemetry_store), 0)
    assert vectors.count(embedding_collection(3), {"project": SLUG}) == 0
    record = DeletedProject.objects.get(slug=SLUG)
    assert "spans" in record.erased_from and f"qdrant:{embedding_collection(3)}" in record.erased_from

    store_telemetry(telemetry_store, vectors, SLUG)  # still in flight when the project was deleted
    assert staff.post("/api/v1/projects", {"slug": SLUG, "name": "Second"}, format="json").status_code == 201
    assert staff.get("/api/v1/traces", headers=head).json()["traces"] == []
    assert rows_of(telemetry_store, SLUG) == dict.fromkeys(project_tables(telemetry_store), 0)
    assert vectors.count(embedding_collection(3), {"project": SLUG}) == 0

    # the other project's telemetry is untouched
    assert all(count > 0 for count in rows_of(telemetry_store, "own").values())
    assert vectors.count(embedding_collection(3), {"project": "own"}) == 1
    own = APIClient()
    own.credentials(HTTP_X_API_KEY=world.own.keys["viewer"])
    assert [t["trace_id"] for t in own.get("/api/v1/traces").json()["traces"]] == [kept_trace]


def test_when_the_store_is_down_nothing_is_deleted(world: World, vectors: EdgeVectorStore) -> None:
    def unavailable() -> Client:
        raise StorageUnavailable("cannot reach ClickHouse")

    with providers.telemetry.override(unavailable):
        admin = APIClient()
        admin.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
        response = admin.delete("/api/v1/projects/own")
    assert response.status_code == 503
    assert "could not be erased" in response.json()["message"]
    assert Project.objects.filter(slug="own").exists() and not DeletedProject.objects.exists()


def test_deleting_in_the_admin_erases_too(world: World, telemetry_store: Client, vectors: EdgeVectorStore) -> None:
    from django.test import Client as DjangoClient

    from webapp.accounts.models import User

    store_telemetry(telemetry_store, vectors, "other")
    site = DjangoClient()
    site.force_login(User.objects.create_superuser("root@example.com", "a root passphrase 99"))
    pk = Project.objects.get(slug="other").pk
    response = site.post(f"/admin/projects/project/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(slug="other").exists()
    assert rows_of(telemetry_store, "other") == dict.fromkeys(project_tables(telemetry_store), 0)
    assert vectors.count(embedding_collection(3), {"project": "other"}) == 0
    added = site.post("/admin/projects/project/add/", {"slug": "other", "name": "Again",
                                                       "memberships-TOTAL_FORMS": "0",
                                                       "memberships-INITIAL_FORMS": "0"})  # fmt: skip
    assert added.status_code == 302, added.content[:2000]
    assert Project.objects.filter(slug="other").exists()


def test_the_cli_erases_a_deleted_slug_before_it_creates_the_project(
    world: World, telemetry_store: Client, vectors: EdgeVectorStore
) -> None:
    from webapp.apikeys.commands import create_project

    staff = as_staff(world)
    assert staff.post("/api/v1/projects", {"slug": SLUG, "name": "First"}, format="json").status_code == 201
    assert staff.delete(f"/api/v1/projects/{SLUG}", headers={"X-PyFlare-Project": SLUG}).status_code == 204
    store_telemetry(telemetry_store, vectors, SLUG)  # still in flight when the project was deleted
    assert create_project(SLUG, None) == 0
    assert Project.objects.filter(slug=SLUG).exists()
    assert rows_of(telemetry_store, SLUG) == dict.fromkeys(project_tables(telemetry_store), 0)
    assert vectors.count(embedding_collection(3), {"project": SLUG}) == 0
