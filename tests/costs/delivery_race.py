"""Processes for the once-only delivery race on PostgreSQL (tests/costs/test_delivery_race.py).

    python -m tests.costs.delivery_race seed <webhook-url>      # migrate, one pending delivery; prints its id
    python -m tests.costs.delivery_race race <id> <barrier-dir> <name>   # attempt it when <barrier-dir>/go exists

Reads PYFLARE_DATABASE_URL (and the other PYFLARE_* settings) from the environment.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()


def seed(url: str) -> None:
    _setup()
    from django.core.management import call_command

    from webapp.costs.models import AlertDelivery, Budget, BudgetAlert, NotificationChannel
    from webapp.projects.models import Project

    call_command("migrate", verbosity=0)
    project = Project.objects.create(slug="race", name="Race")
    channel = NotificationChannel.objects.create(project=project, name="hook", url=url)
    budget = Budget.objects.create(project=project, name="daily", dimension="global", value="", period="daily",
                                   limit_usd="1.00", thresholds=[80])  # fmt: skip
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    alert = BudgetAlert.objects.create(
        budget=budget, project=project, period_start=start, period_end=start + timedelta(days=1), threshold=80,
        spend_micros=900_000, limit_micros=1_000_000, percent_used=90.0, projected_spend_micros=900_000,
        projected_overage_micros=0, projection_method="none", notified=True,
    )  # fmt: skip
    delivery = AlertDelivery.objects.create(alert=alert, channel=channel, target=url)
    print(delivery.pk, flush=True)


def race(delivery_id: int, barrier: Path, name: str) -> None:
    _setup()
    from django.db import connection

    from webapp.costs.notify import attempt_delivery

    connection.ensure_connection()
    (barrier / f"ready-{name}").touch()
    while not (barrier / "go").exists():
        time.sleep(0.001)
    outcome = attempt_delivery(delivery_id)
    print(json.dumps({"status": outcome.status, "retry_in": outcome.retry_in}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2])
    else:
        race(int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
