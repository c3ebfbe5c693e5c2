"""Alerting settings.

PYFLARE_ALERTS_KAFKA_PUBLISH: also publish every alert state change as JSON on Kafka `pyflare.alerts`
(brokers: PYFLARE_KAFKA_BROKERS). Default: on in scale mode (tasks on a broker), off embedded.

PYFLARE_PUBLIC_URL: the address people open PyFlare at (e.g. https://pyflare.example.com). Notifications
link back with it (Alertmanager's externalURL and each alert's generatorURL, Slack, email, PagerDuty).
`pyflare serve` defaults it to its own web address unless it listens on every interface.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from webapp.settings.celery import CELERY_TASK_ALWAYS_EAGER
from webapp.settings.env import env_bool, env_str

ALERTS_KAFKA_PUBLISH: bool = env_bool("PYFLARE_ALERTS_KAFKA_PUBLISH", not CELERY_TASK_ALWAYS_EAGER)
PUBLIC_URL: str = env_str("PYFLARE_PUBLIC_URL", "").strip().rstrip("/")
if PUBLIC_URL and not PUBLIC_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"PYFLARE_PUBLIC_URL must start with http:// or https://, got {PUBLIC_URL!r}")
