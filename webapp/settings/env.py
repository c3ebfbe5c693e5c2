"""Typed readers for `PYFLARE_*` environment variables, as Django settings use them.

The readers are workers.env's; here a wrong value raises ImproperlyConfigured, naming the
variable, the value found and what is accepted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

from workers import env as _env

F = TypeVar("F", bound=Callable[..., Any])


def _for_django(reader: F) -> F:
    @functools.wraps(reader)
    def read(*args: Any, **kwargs: Any) -> Any:
        try:
            return reader(*args, **kwargs)
        except _env.SettingError as exc:
            raise ImproperlyConfigured(str(exc)) from None

    return read  # type: ignore[return-value]


env_str = _for_django(_env.env_str)
env_bool = _for_django(_env.env_bool)
env_int = _for_django(_env.env_int)
env_float = _for_django(_env.env_float)
env_list = _for_django(_env.env_list)
env_path = _for_django(_env.env_path)
