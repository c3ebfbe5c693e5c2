"""Alerting settings.

PYFLARE_ALERTS_KAFKA_PUBLISH: also publish every alert state change as JSON on Kafka `pyflare.alerts`
(brokers: PYFLARE_KAFKA_BROKERS). Default: on in scale mode (tasks on a broker), off embedded.
"""

from __future__ import annotations

from webapp.settings.celery import CELERY_TASK_ALWAYS_EAGER
from webapp.settings.env import env_bool

ALERTS_KAFKA_PUBLISH: bool = env_bool("PYFLARE_ALERTS_KAFKA_PUBLISH", not CELERY_TASK_ALWAYS_EAGER)
