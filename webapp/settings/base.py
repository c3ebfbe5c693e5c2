"""Core Django settings: data directory, secret key, hosts, installed apps, middleware.

PYFLARE_DATA_DIR (default ~/.pyflare) holds everything embedded mode keeps on disk, including the
generated secret key when PYFLARE_SECRET_KEY is not set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from webapp.settings.celery import CELERY_TASK_ALWAYS_EAGER
from webapp.settings.env import env_bool, env_list, env_path, env_str

DATA_DIR: Path = env_path("PYFLARE_DATA_DIR", Path.home() / ".pyflare")


def _persisted_secret_key(data_dir: Path) -> str:
    """Read the key generated on a previous start, or create it once (0600, never overwritten)."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; read theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds a secret key shorter than 32 characters; delete it to regenerate")
    return key


SECRET_KEY: str = env_str("PYFLARE_SECRET_KEY", "") or _persisted_secret_key(DATA_DIR)
DEBUG: bool = env_bool("PYFLARE_DEBUG", False)
ALLOWED_HOSTS: list[str] = env_list("PYFLARE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env_list("PYFLARE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS: list[str] = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # PyFlare slices; each may ship `api_urls.py`, which webapp.api.routes includes under /api/v1.
    "webapp.rbac",
    "webapp.accounts",
    "webapp.projects",
    "webapp.apikeys",
    "webapp.api",
    "webapp.query",
    "webapp.traces",
    "webapp.metrics",
    "webapp.logs",
    "webapp.feedback",
    "webapp.costs",
    "webapp.drift",
    "webapp.alerting",
    "webapp.dashboard",
]

MIDDLEWARE: list[str] = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "webapp.urls"
ASGI_APPLICATION = "webapp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path = env_path("PYFLARE_STATIC_ROOT", DATA_DIR / "static")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOG_LEVEL = env_str("PYFLARE_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # sqlglot warns on every statement it cannot parse; the query endpoint reports those itself.
        "sqlglot": {"level": "ERROR"},
        # in `pyflare serve` a line per periodic job every few seconds would bury what matters (failures still
        # show); a Celery worker keeps its usual line per task
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER and LOG_LEVEL != "DEBUG" else "NOTSET"},
    },
}
