"""Celery task modules: thin wrappers that load config, call a service function and store results.

Importing this package registers every task (settings: CELERY_IMPORTS = ["workers.tasks"]); the
periodic ones are scheduled in workers/schedule.py.
"""

from workers.tasks import alerting, channels, costs, drift

__all__ = ["alerting", "channels", "costs", "drift"]
