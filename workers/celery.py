"""The Celery application, configured from Django settings (`CELERY_*`, webapp/settings/celery.py).

Without a broker (`pyflare serve`) tasks run eagerly in the calling process; in scale mode workers
run `celery -A workers.celery worker`. Tasks are registered by importing `workers.tasks`
(CELERY_IMPORTS in webapp/settings/celery.py); `autodiscover_tasks()` also imports any installed
app's `tasks.py`, of which there are none today.
"""

from __future__ import annotations

from celery import Celery

from workers.env import default_django_settings

default_django_settings()

app = Celery("pyflare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="pyflare.health.ping")
def ping() -> str:
    """Proves a task can run where it is sent (readiness of `pyflare serve`, worker smoke tests)."""
    return "pong"
