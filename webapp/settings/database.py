"""The control-plane database: SQLite under the data directory by default, PostgreSQL by URL.

PYFLARE_DATABASE_URL takes any dj-database-url URL (`postgres://user:pass@host:5432/pyflare`).
"""

from __future__ import annotations

import dj_database_url

from webapp.settings.base import DATA_DIR
from webapp.settings.env import env_int, env_str

DATABASE_URL: str = env_str("PYFLARE_DATABASE_URL", f"sqlite:///{DATA_DIR / 'control.sqlite3'}")
DATABASE_CONN_MAX_AGE: int = env_int("PYFLARE_DATABASE_CONN_MAX_AGE", 0, minimum=0)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=DATABASE_CONN_MAX_AGE > 0
    )
}
