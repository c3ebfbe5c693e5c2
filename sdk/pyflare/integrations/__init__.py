"""Integrations that instrument other libraries' model calls.

`pyflare.instrument("openai", "anthropic", ...)` turns on the named integrations (no names: every
integration whose library is installed); `pyflare.uninstrument(...)` restores the originals. Each
integration is a module under `pyflare.integrations` exposing `instrument(**options)`,
`uninstrument()` and `is_instrumented()`, and is usable alone (`from pyflare.integrations import
openai; openai.instrument()`). Wrappers that wrap one object instead of patching a library (the
scikit-learn wrapper) are not in the registry: they are called on the object.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Integration:
    name: str
    module: str  # the integration's module under pyflare.integrations
    requires: str  # the importable top-level package of the instrumented library


# Order matters for auto-detection only in that framework integrations (langchain) come after the
# provider clients they may call, so a provider's spans exist when a framework asks for them.
REGISTRY: dict[str, Integration] = {
    i.name: i
    for i in (
        Integration("openai", "pyflare.integrations.openai", "openai"),
        Integration("anthropic", "pyflare.integrations.anthropic", "anthropic"),
        Integration("langchain", "pyflare.integrations.langchain", "langchain_core"),
        Integration("transformers", "pyflare.integrations.transformers", "transformers"),
        Integration("torch", "pyflare.integrations.torch", "torch"),
        Integration("xgboost", "pyflare.integrations.xgboost", "xgboost"),
        Integration("lightgbm", "pyflare.integrations.lightgbm", "lightgbm"),
    )
}


class UnknownIntegration(ValueError):
    """A name that is not one of `REGISTRY`'s."""


def _integration(name: str) -> Integration:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise UnknownIntegration(f"no PyFlare integration named {name!r} (known: {known})") from None


def _module(integration: Integration) -> ModuleType:
    return importlib.import_module(integration.module)


def available() -> list[str]:
    """Names of the integrations whose instrumented library is importable here."""
    return [i.name for i in REGISTRY.values() if importlib.util.find_spec(i.requires) is not None]


def instrument(*names: str, **options: Any) -> list[str]:
    """Instrument the named libraries (none named: every installed one); returns the names done.

    Naming a library that is not installed raises ImportError; auto-detection skips it. Options are
    passed to every integration's `instrument` (e.g. `capture_content=True`).
    """
    targets = list(names) or available()
    done = []
    for name in targets:
        integration = _integration(name)
        _module(integration).instrument(**options)
        done.append(name)
    return done


def uninstrument(*names: str) -> list[str]:
    """Undo `instrument` for the named integrations (none named: every instrumented one)."""
    targets = list(names) or [name for name in REGISTRY if is_instrumented(name)]
    for name in targets:
        _module(_integration(name)).uninstrument()
    return targets


def is_instrumented(name: str) -> bool:
    """Whether the named integration is on; False without importing a library that is not loaded."""
    integration = _integration(name)
    if importlib.util.find_spec(integration.requires) is None:
        return False
    try:
        module = _module(integration)
    except ImportError:
        return False
    return bool(module.is_instrumented())
