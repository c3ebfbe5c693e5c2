"""Seeds a data directory for the alerting Celery test, in its own process (chdb: one process per
directory, and the worker opens it next): control-plane tables, a project with a webhook channel and
an error-rate rule, and the last two minutes of spans — model `bad` errs on every other request,
model `good` never — written through the real ingest loop.

    python -m tests.alerting.celery_world <webhook-url>

Reads PYFLARE_DATA_DIR (and the other PYFLARE_* settings) from the environment.
"""

from __future__ import annotations

import os
import sys
import time


def main(url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tests.costs.budget_world import migrated_store
    from tests.costs.pipeline import ingest
    from tests.storage.test_alerting_metrics import spans
    from tests.support.otlp import encode
    from webapp.alerting.models import AlertRule
    from webapp.costs.models import NotificationChannel
    from webapp.projects.models import Project

    call_command("migrate", verbosity=0)
    project = Project.objects.create(slug="acme", name="Acme")
    channel = NotificationChannel.objects.create(project=project, name="on-call", url=url)
    rule = AlertRule(project=project, name="HighErrorRate", rule_type="threshold", evaluation_interval=10.0,
                     config={"metric": "error_rate", "operator": ">", "value": 0.2, "window": "5m",
                             "group_by": ["model_id"]},
                     group_by=["model_id"], group_wait=1.0, annotations={"summary": "errors above 20 %"})  # fmt: skip
    rule.full_clean()
    rule.save()
    rule.channels.add(channel)

    client = migrated_store()
    now = time.time()
    rows = [{"service": "chat", "model": model, "start": now - 120 + i * 5, "ms": 80.0, "input": 3, "output": 2,
             "error": "upstream timeout" if model == "bad" and i % 2 else None}
            for model in ("bad", "good") for i in range(20)]  # fmt: skip
    ingest(client, [encode(spans("acme", rows))])
    print(f"seeded rule {rule.pk}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
