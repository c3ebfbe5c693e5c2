"""Replace methods on a library's classes and put the originals back (instrument / uninstrument)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

Wrapper = Callable[[Callable[..., Any]], Callable[..., Any]]


class Patches:
    """The methods one integration replaced, so `undo` restores exactly those."""

    def __init__(self) -> None:
        self._done: list[tuple[type, str, Any]] = []

    @property
    def active(self) -> bool:
        return bool(self._done)

    def wrap(self, module: str, cls: str, method: str, make: Wrapper) -> bool:
        """Replace `module.cls.method` with `make(original)`; False when the library lacks it."""
        try:
            owner = getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError):
            return False
        original = owner.__dict__.get(method)
        if original is None:
            return False
        wrapper = functools.wraps(original)(make(original))
        wrapper.__pyflare_original__ = original  # type: ignore[attr-defined]
        setattr(owner, method, wrapper)
        self._done.append((owner, method, original))
        return True

    def replace(self, module: str, cls: str, name: str, value: Any) -> bool:
        """Set `module.cls.name` to `value` (e.g. a property); False when the library lacks it."""
        try:
            owner = getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError):
            return False
        if name not in owner.__dict__:
            return False
        self._done.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, value)
        return True

    def undo(self) -> None:
        while self._done:
            owner, method, original = self._done.pop()
            setattr(owner, method, original)
