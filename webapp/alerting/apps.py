"""Django app for alerting. Reading alerts and their configuration needs `alerts:read`; changing rules,
silences, windows and inhibition rules, and acknowledging or resolving alerts, `alerts:write`
(operators and admins hold both through `alerts:*` / `*`)."""

from __future__ import annotations

from django.apps import AppConfig


class AlertingConfig(AppConfig):
    name = "webapp.alerting"
    label = "alerting"
    verbose_name = "Alerting"
