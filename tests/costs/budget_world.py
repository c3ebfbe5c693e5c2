"""Seeds a data directory for the Celery integration test, in its own process (chdb: one process
per directory, and the worker opens it next): control-plane tables, a project with a webhook
channel and a daily budget, and spend rows in ClickHouse for today and tomorrow.

    python -m tests.costs.budget_world <webhook-url> <today-spend-micros> <tomorrow-spend-micros>

Reads PYFLARE_DATA_DIR (and the other PYFLARE_* settings) from the environment.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any


def migrated_store() -> Any:
    """The data directory's ClickHouse, migrated."""
    from workers.storage import migrate
    from workers.storage.clickhouse import StorageSettings, connect

    storage = StorageSettings.from_env()
    client = connect(storage)
    migrate.apply(client, storage)
    return client


def main(url: str, today_micros: int, tomorrow_micros: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tests.costs.factory import cost_row, insert_costs
    from webapp.costs.models import Budget, NotificationChannel
    from webapp.projects.models import Project

    call_command("migrate", verbosity=0)
    project = Project.objects.create(slug="acme", name="Acme")
    channel = NotificationChannel.objects.create(project=project, name="on-call", url=url)
    budget = Budget(project=project, name="daily LLM spend", dimension="global", value="", period="daily",
                    limit_usd="1.00", thresholds=[80])  # fmt: skip
    budget.full_clean()
    budget.save()
    budget.channels.add(channel)

    client = migrated_store()
    now = datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + timedelta(days=1)
    insert_costs(client, [cost_row("acme", max(now - timedelta(seconds=30), today), today_micros),
                          cost_row("acme", tomorrow + timedelta(minutes=30), tomorrow_micros)])  # fmt: skip
    print(f"seeded budget {budget.pk}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
