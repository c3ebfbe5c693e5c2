"""Once-only alert delivery under concurrency, on the real PostgreSQL: processes racing to attempt the
same pending delivery send it once. The delivery row stays locked (SELECT … FOR UPDATE) while the
request is in flight; SQLite ignores that lock, so this runs on PostgreSQL in every test pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.costs.conftest import Webhook
from tests.fixtures.services import REPO_ROOT

RACERS = 3


@pytest.fixture
def race_database(postgres_url: str) -> Iterator[str]:
    """A fresh database on the shared server for this test, dropped afterwards."""
    name = f"pyflare_race_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"DJANGO_SETTINGS_MODULE": "webapp.settings", "PYFLARE_DATA_DIR": str(data_dir),
                "PYFLARE_SECRET_KEY": uuid.uuid4().hex * 2, "PYFLARE_DATABASE_URL": database_url,
                "PYFLARE_OUTBOUND_ALLOW_CIDRS": "127.0.0.1/32", "PYFLARE_WEBHOOK_TIMEOUT_SECONDS": "30"})  # fmt: skip
    return env


@pytest.mark.postgres
def test_racing_processes_deliver_an_alert_once(race_database: str, webhook: Webhook, tmp_path: Path) -> None:
    webhook.delay_seconds = 1.5  # the first request is still in flight when the others attempt
    env = _env(race_database, tmp_path / "data")
    command = [sys.executable, "-m", "tests.costs.delivery_race"]
    seeded = subprocess.run([*command, "seed", webhook.url], cwd=REPO_ROOT, env=env, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    delivery_id = seeded.stdout.strip().splitlines()[-1]

    barrier = tmp_path / "barrier"
    barrier.mkdir()
    racers = [
        subprocess.Popen(
            [*command, "race", delivery_id, str(barrier), str(n)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(RACERS)
    ]
    deadline = time.monotonic() + 300
    while len(list(barrier.glob("ready-*"))) < RACERS:
        assert time.monotonic() < deadline, "the racing processes did not start"
        assert all(r.poll() is None for r in racers), [r.communicate() for r in racers if r.poll() is not None]
        time.sleep(0.01)
    (barrier / "go").touch()
    outputs = [r.communicate(timeout=300) for r in racers]
    assert all(r.returncode == 0 for r in racers), [err[-3000:] for _out, err in outputs]

    statuses = sorted(json.loads(out.strip().splitlines()[-1])["status"] for out, _err in outputs)
    assert statuses == ["delivered"] * RACERS  # the winner delivered; the others found it delivered
    assert len(webhook.received) == 1
    with psycopg.connect(race_database) as conn:
        row = conn.execute("SELECT status, attempts FROM costs_alertdelivery WHERE id = %s",
                           (int(delivery_id),)).fetchone()  # fmt: skip
    assert row == ("delivered", 1)
