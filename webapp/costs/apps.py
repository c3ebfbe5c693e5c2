"""Django app for costs; registers `costs:configure` (budgets, price overrides).

Reading costs uses the seed's `costs:read` (everyone's costs) and `costs:read:own` (viewers: spans
whose user_id is their email). Changing budgets and prices changes what everyone is billed and
alerted on, so only admins hold `costs:configure` (through `*`). Notification channels are alerting
configuration: `alerts:read` / `alerts:write`, as operators hold.
"""

from __future__ import annotations

from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "webapp.costs"
    label = "costs"
    verbose_name = "Costs"

    def ready(self) -> None:
        from webapp.rbac.registry import register_permission

        register_permission("costs:configure", "create and change budgets and model price overrides")
