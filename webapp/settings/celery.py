"""Celery configuration read by workers.celery (`config_from_object(..., namespace="CELERY")`).

Without a broker URL the tasks run eagerly in the calling process (embedded mode).
"""

from __future__ import annotations

from webapp.settings.env import env_bool, env_str
from workers.schedule import beat_schedule

REDIS_URL: str = env_str("PYFLARE_REDIS_URL", "")
CELERY_BROKER_URL: str = env_str("PYFLARE_CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER: bool = env_bool("PYFLARE_CELERY_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE: str = env_str("PYFLARE_CELERY_QUEUE", "celery")  # workers: celery worker -Q <it>
CELERY_IMPORTS = ["workers.tasks"]  # task modules outside the apps' tasks.py
CELERY_BEAT_SCHEDULE = beat_schedule()  # every periodic job: workers/schedule.py
