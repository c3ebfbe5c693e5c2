"""Cost tracking: custom cost dimensions, price refresh, webhook delivery of budget alerts.

PYFLARE_COST_DIMENSIONS and PYFLARE_PRICE_REFRESH_SECONDS are also read by the ingest process
(workers.ingest.pricing), which does not need Django for them: one name, one meaning everywhere.
"""

from __future__ import annotations

from webapp.settings.env import env_float, env_int, env_list

COST_DIMENSIONS: list[str] = env_list("PYFLARE_COST_DIMENSIONS", [])
PRICE_REFRESH_SECONDS: float = env_float("PYFLARE_PRICE_REFRESH_SECONDS", 30.0, minimum=0)
WEBHOOK_TIMEOUT_SECONDS: float = env_float("PYFLARE_WEBHOOK_TIMEOUT_SECONDS", 5.0, minimum=0.1)
WEBHOOK_MAX_ATTEMPTS: int = env_int("PYFLARE_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_BACKOFF_SECONDS: float = env_float("PYFLARE_WEBHOOK_BACKOFF_SECONDS", 2.0, minimum=0)
