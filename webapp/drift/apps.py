"""Django app for drift monitors, references and results.

`drift:read` and `drift:configure` are registered by the RBAC catalogue (the seed names them).
"""

from __future__ import annotations

from django.apps import AppConfig


class DriftConfig(AppConfig):
    name = "webapp.drift"
    label = "drift"
    verbose_name = "Drift"
