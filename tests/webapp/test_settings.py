"""Settings come from PYFLARE_* variables: typed, defaulted, validated, and the secret key is
generated once under the data directory and reused. Each case loads the settings in a fresh
interpreter with a clean environment, as a server start would."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "secret": settings.SECRET_KEY, "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS,
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"), "port": db.get("PORT"),
    "user": db.get("USER"), "data_dir": str(settings.DATA_DIR), "tables": settings.QUERY_TABLES,
    "max_rows": settings.QUERY_MAX_ROWS, "user_model": settings.AUTH_USER_MODEL,
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"], "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "cache": settings.CACHES["default"]["BACKEND"], "trusted": settings.TRUSTED_PROXIES,
}))
"""


def load(env: dict[str, str], probe: str = PROBE) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYFLARE_", "DJANGO_"))}
    clean |= {"DJANGO_SETTINGS_MODULE": "webapp.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", probe], env=clean, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def settings_for(env: dict[str, str]) -> dict[str, Any]:
    done = load(env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_defaults_live_under_the_data_directory(tmp_path: Path) -> None:
    s = settings_for({"PYFLARE_DATA_DIR": str(tmp_path)})
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "control.sqlite3")
    assert s["debug"] is False and s["hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert s["tables"] == ["spans", "trace_summary", "metrics", "logs", "feedback", "costs", "costs_hourly",
                           "drift_results"] and s["max_rows"] == 10000  # fmt: skip
    assert s["user_model"] == "accounts.User"
    assert s["layer"] == "channels.layers.InMemoryChannelLayer" and s["eager"] is True
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache" and s["trusted"] == []


def test_the_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = settings_for({"PYFLARE_DATA_DIR": str(tmp_path)})["secret"]
    second = settings_for({"PYFLARE_DATA_DIR": str(tmp_path)})["secret"]
    assert first == second and len(first) >= 50
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = settings_for({"PYFLARE_DATA_DIR": str(tmp_path / "elsewhere")})["secret"]
    assert other != first


def test_a_given_secret_key_wins_and_nothing_is_written(tmp_path: Path) -> None:
    s = settings_for({"PYFLARE_DATA_DIR": str(tmp_path), "PYFLARE_SECRET_KEY": "k" * 60})
    assert s["secret"] == "k" * 60
    assert not (tmp_path / "secret_key").exists()


def test_postgres_urls_configure_postgresql(tmp_path: Path) -> None:
    s = settings_for(
        {"PYFLARE_DATA_DIR": str(tmp_path), "PYFLARE_DATABASE_URL": "postgres://pf:s3cret@db.internal:6543/pyflare"}
    )
    assert (s["engine"], s["name"], s["host"], s["port"], s["user"]) == (
        "django.db.backends.postgresql",
        "pyflare",
        "db.internal",
        6543,
        "pf",
    )


def test_typed_values_are_parsed(tmp_path: Path) -> None:
    s = settings_for(
        {
            "PYFLARE_DATA_DIR": str(tmp_path),
            "PYFLARE_DEBUG": "yes",
            "PYFLARE_ALLOWED_HOSTS": "pyflare.example.com, 10.0.0.5,",
            "PYFLARE_QUERY_TABLES": "spans,logs",
            "PYFLARE_QUERY_MAX_ROWS": "500",
            "PYFLARE_REDIS_URL": "redis://127.0.0.1:6379/0",
            "PYFLARE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,fd00::/8",
        }
    )
    assert s["debug"] is True
    assert s["hosts"] == ["pyflare.example.com", "10.0.0.5"]
    assert s["tables"] == ["spans", "logs"] and s["max_rows"] == 500
    assert s["layer"] == "channels_redis.core.RedisChannelLayer" and s["eager"] is False
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"  # login counters shared by web processes
    assert s["trusted"] == ["10.0.0.0/8", "192.168.1.7/32", "fd00::/8"]


@pytest.mark.parametrize(
    ("env", "phrase"),
    [
        ({"PYFLARE_DEBUG": "maybe"}, "PYFLARE_DEBUG='maybe' is not a boolean"),
        ({"PYFLARE_QUERY_MAX_ROWS": "lots"}, "PYFLARE_QUERY_MAX_ROWS='lots' is not an integer"),
        ({"PYFLARE_QUERY_MAX_ROWS": "0"}, "below the minimum 1"),
        ({"PYFLARE_QUERY_MAX_EXECUTION_SECONDS": "fast"}, "is not a number"),
        ({"PYFLARE_TRUSTED_PROXIES": "10.0.0.0/33"}, "PYFLARE_TRUSTED_PROXIES: '10.0.0.0/33' is not an IP address"),
        ({"PYFLARE_OUTBOUND_ALLOW_CIDRS": "intranet"}, "PYFLARE_OUTBOUND_ALLOW_CIDRS: 'intranet' is not an IP"),
        ({"PYFLARE_LOGIN_RATE": "often"}, "PYFLARE_LOGIN_RATE='often': expected N/period such as 20/min"),
        ({"PYFLARE_LOGIN_ACCOUNT_RATE": "0/min"}, "PYFLARE_LOGIN_ACCOUNT_RATE='0/min'"),
        ({"PYFLARE_PUBLIC_URL": "pyflare.example"},
         "PYFLARE_PUBLIC_URL must start with http:// or https://, got 'pyflare.example'"),
    ],
)
def test_wrong_values_fail_at_start_naming_the_variable(tmp_path: Path, env: dict[str, str], phrase: str) -> None:
    done = load({"PYFLARE_DATA_DIR": str(tmp_path), **env})
    assert done.returncode != 0
    assert phrase in done.stderr


TASK_LOG_PROBE = """
import django
django.setup()
from celery import Celery
app = Celery("probe", set_as_current=False)
app.conf.task_always_eager = True

@app.task(name="probe.quiet")
def quiet():
    return "done"

@app.task(name="probe.broken")
def broken():
    raise ValueError("probe failure")

quiet.apply()
broken.apply()
"""


@pytest.mark.parametrize(
    ("extra", "success_logged"),
    [({}, False), ({"PYFLARE_LOG_LEVEL": "DEBUG"}, True),
     ({"PYFLARE_CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}, True)],  # a worker keeps its line per task
    ids=["serve", "serve-debug", "worker"],
)  # fmt: skip
def test_serve_logs_a_periodic_jobs_failures_but_not_each_success(
    tmp_path: Path, extra: dict[str, str], success_logged: bool
) -> None:
    env = {"PYFLARE_DATA_DIR": str(tmp_path), **extra}
    run = load(env, TASK_LOG_PROBE)
    assert run.returncode == 0, run.stderr
    assert ("Task probe.quiet" in run.stderr) is success_logged, run.stderr
    assert "Task probe.broken" in run.stderr and "ValueError: probe failure" in run.stderr
    assert " ERROR celery.app.trace: " in run.stderr  # with the time, level and logger name
