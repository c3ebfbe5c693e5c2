"""Typed readers for `PYFLARE_*` environment variables, shared by every layer.

The one place that reads the process environment: settings modules call these readers instead of
`os.environ` (the SDK, a distribution of its own, has its own in `pyflare.settings`).

A wrong value fails at start with the variable's name, the value found and what is accepted.
(The Django settings wrap these to raise ImproperlyConfigured.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ValueError):
    """An environment variable holds a value PyFlare cannot use."""


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """The raw value (an empty value stays empty); `environ` replaces the process environment."""
    return (os.environ if environ is None else environ).get(name, default)


def env_optional(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value with surrounding blanks removed; None when unset or blank."""
    return env_str(name, "", environ).strip() or None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name}={value} is below the minimum {minimum}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks are dropped so `a, b,` is `['a', 'b']`."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return (Path(raw) if raw else default).expanduser().resolve()


# Writes: the process environment is also how a value reaches Django's settings (read when Django
# sets up, here or in a child process) and the processes this one starts. They go through here too,
# so that workers/env.py stays the one module touching `os.environ`.
DJANGO_SETTINGS_MODULE = "webapp.settings"


def set_default(name: str, value: str) -> None:
    """Give `name` a value for this process and its children unless the environment sets one already."""
    os.environ.setdefault(name, value)


def set_value(name: str, value: str) -> None:
    """Set `name` for this process and its children (e.g. a CLI flag that overrides a setting)."""
    os.environ[name] = value


def default_django_settings() -> None:
    """Point Django at PyFlare's settings unless DJANGO_SETTINGS_MODULE chooses others; call before setup."""
    set_default("DJANGO_SETTINGS_MODULE", DJANGO_SETTINGS_MODULE)
