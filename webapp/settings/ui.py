"""The web UI's settings.

PYFLARE_UI_OTLP_ENDPOINT is the OTLP/HTTP address the UI tells users to send telemetry to (scale
mode: the collector's). Empty means this server's own receiver: the page's host name with
PYFLARE_OTLP_HTTP_PORT.
"""

from __future__ import annotations

from webapp.settings.env import env_int, env_str

UI_OTLP_ENDPOINT: str = env_str("PYFLARE_UI_OTLP_ENDPOINT", "").rstrip("/")
UI_OTLP_HTTP_PORT: int = env_int("PYFLARE_OTLP_HTTP_PORT", 4318, minimum=1)
