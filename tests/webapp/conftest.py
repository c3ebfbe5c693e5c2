"""Fixtures for the control-plane tests: Django on SQLite (or PYFLARE_TEST_DATABASE_URL), two
projects with a member and a key per role, and the SQL endpoint wired to the real ClickHouse engine
(the suite's session chdb directory, one migrated database for these tests).

The environment is prepared before Django reads its settings: a throw-away data directory and
secret key, and the test database URL when one is given (the tests then run on PostgreSQL).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ.setdefault("PYFLARE_DATA_DIR", tempfile.mkdtemp(prefix="pyflare-webapp-tests-"))
os.environ.setdefault("PYFLARE_SECRET_KEY", secrets.token_urlsafe(50))
if os.environ.get("PYFLARE_TEST_DATABASE_URL"):
    os.environ["PYFLARE_DATABASE_URL"] = os.environ["PYFLARE_TEST_DATABASE_URL"]

import django
from django.apps import apps

if not apps.ready:
    django.setup()

import pytest
from clickhouse_connect.driver.client import Client
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.storage.spans import span_row, span_table
from webapp.accounts.models import User
from webapp.api.providers import providers
from webapp.apikeys.models import ApiKey
from webapp.projects.models import Membership, Project
from webapp.query.engine import ClickHouseQueryEngine
from webapp.rbac.registry import ROLES
from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings, connect, disconnect

KNOWN_PASSWORD = "a long and unusual passphrase 7"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()  # login throttling counts live in the cache


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    # the default PBKDF2 cost makes every login ~0.5 s; the hashing algorithm is not under test
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@dataclass
class Side:
    """One project with a member and an API key for every role, plus spare objects to act on."""

    project: Project
    members: dict[str, User] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # role -> plaintext
    spare_key: ApiKey | None = None
    spare_membership: Membership | None = None


@dataclass
class World:
    own: Side
    other: Side
    staff: User  # staff user with no membership
    outsider: User  # a user in no project, with a known password


def _side(slug: str) -> Side:
    side = Side(Project.objects.create(slug=slug, name=slug.title()))
    for role in ROLES:
        user = User.objects.create_user(f"{role}@{slug}.example")
        Membership.objects.create(user=user, project=side.project, role=role)
        side.members[role] = user
        _key, plaintext = ApiKey.issue(project=side.project, name=f"{role} key", role=role)
        side.keys[role] = plaintext
    side.spare_key, _ = ApiKey.issue(project=side.project, name="spare", role="viewer")
    spare_user = User.objects.create_user(f"spare@{slug}.example")
    side.spare_membership = Membership.objects.create(user=spare_user, project=side.project, role="developer")
    return side


@pytest.fixture
def world(db: None) -> World:
    return World(
        own=_side("own"),
        other=_side("other"),
        staff=User.objects.create_user("staff@example.com", is_staff=True),
        outsider=User.objects.create_user("ada@example.com", KNOWN_PASSWORD),
    )


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture(scope="session")
def query_storage(chdb_dir: Path) -> Iterator[Client]:
    """A migrated ClickHouse database for the SQL endpoint, shared by the web tests of a session."""
    storage = StorageSettings(url=f"chdb://{chdb_dir}", database="webapp_query")
    client = connect(storage)
    migrate.apply(client, storage)
    yield client
    client.command("DROP DATABASE IF EXISTS `webapp_query` SYNC")
    disconnect(storage)


@pytest.fixture
def query_engine(query_storage: Client, settings: object) -> Iterator[Client]:
    """Route /api/v1/query, and the telemetry read endpoints (traces, metrics, logs, feedback), to
    the production code on that database for the duration of a test."""
    settings.QUERY_DATABASE = query_storage.database  # type: ignore[attr-defined]
    engine = ClickHouseQueryEngine(lambda: query_storage)
    with providers.query_engine.override(lambda: engine), providers.telemetry.override(lambda: query_storage):
        yield query_storage


STORED_TRACE_IDS = {"own": "0af7651916cd43dd8448eb211c80319c", "other": "4bf92f3577b34da6a3ce929d0e0e4736"}


@pytest.fixture
def stored_traces(query_engine: Client) -> dict[str, str]:
    """One stored trace per world project (slug -> trace id), for endpoints that name a trace."""
    for slug, trace_id in STORED_TRACE_IDS.items():
        present = query_engine.query(
            "SELECT count() FROM spans WHERE project = {p:String} AND trace_id = {t:String}",
            parameters={"p": slug, "t": trace_id},
        ).result_rows[0][0]
        if not present:
            row = span_row(project=slug, trace_id=trace_id, span_id="b7ad6b7169203331", name="matrix-root")
            query_engine.insert_arrow("spans", span_table([row]))
    return dict(STORED_TRACE_IDS)


@pytest.fixture(scope="module")
def module_storage(chdb_dir: Path) -> Iterator[Client]:
    """A fresh migrated database for one test module."""
    settings = StorageSettings(url=f"chdb://{chdb_dir}", database=f"api_{uuid.uuid4().hex[:10]}")
    client = connect(settings)
    migrate.apply(client, settings)
    yield client
    client.command(f"DROP DATABASE IF EXISTS `{settings.database}` SYNC")
    disconnect(settings)


@pytest.fixture
def telemetry_store(module_storage: Client) -> Iterator[Client]:
    """The module's database behind the telemetry endpoints for the duration of a test."""
    with providers.telemetry.override(lambda: module_storage):
        yield module_storage
