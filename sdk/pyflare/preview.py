"""Short text previews of call inputs and outputs for `pyflare.input.preview` / `pyflare.output.preview`.

Strings are kept as they are, other values use a bounded repr (reprlib) so a huge list costs no more
than its preview; everything is cut to the configured length with a trailing ellipsis.
"""

from __future__ import annotations

import functools
import itertools
import reprlib
from collections.abc import Mapping, Sequence
from typing import Any

ELLIPSIS = "…"
_ITEMS_SHOWN = 100
_SCALARS = frozenset({int, float, bool, type(None)})


class _PreviewRepr(reprlib.Repr):
    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        # reprlib sorts dict keys; a preview keeps insertion order ({"role": ..., "content": ...}).
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = [
            f"{self.repr1(key, level - 1)}: {self.repr1(x[key], level - 1)}"
            for key in itertools.islice(x, self.maxdict)
        ]
        if len(x) > self.maxdict:
            pieces.append("...")
        return "{" + ", ".join(pieces) + "}"


@functools.lru_cache(maxsize=8)
def _bounded_repr(limit: int) -> reprlib.Repr:
    shaper = _PreviewRepr()
    shaper.maxlevel = 6
    shaper.maxstring = shaper.maxother = shaper.maxlong = limit
    shaper.maxlist = shaper.maxtuple = shaper.maxdict = _ITEMS_SHOWN
    shaper.maxset = shaper.maxfrozenset = shaper.maxdeque = shaper.maxarray = _ITEMS_SHOWN
    return shaper


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def render_value(value: Any, limit: int) -> str:
    if isinstance(value, str):
        return truncate(value, limit)
    if type(value) in _SCALARS:  # fast path: their repr is short and cannot fail
        return truncate(repr(value), limit)
    try:
        text = _bounded_repr(limit).repr(value)
    except Exception:  # a broken __repr__ must not break the traced call
        text = f"<{type(value).__qualname__}>"
    return truncate(text, limit)


def render_call(
    arg_names: Sequence[str], args: Sequence[Any], kwargs: Mapping[str, Any], limit: int
) -> str | None:
    """A single argument previews as the value itself; several as `name=repr, ...`. None if no args."""
    count = len(args) + len(kwargs)
    if count == 0:
        return None
    if count == 1:
        return render_value(args[0] if args else next(iter(kwargs.values())), limit)
    named = [(arg_names[i] if i < len(arg_names) else f"arg{i}", value) for i, value in enumerate(args)]
    named.extend(kwargs.items())
    return truncate(", ".join(f"{name}={_quoted(value, limit)}" for name, value in named), limit)


def _quoted(value: Any, limit: int) -> str:
    # Among several arguments strings are quoted, so `a='x, y'` reads unambiguously.
    return repr(value[:limit]) if isinstance(value, str) else render_value(value, limit)


class StreamPreview:
    """Collects yielded items of a generator until the preview is full; str chunks are concatenated."""

    __slots__ = ("_items", "_limit", "_size")

    def __init__(self, limit: int) -> None:
        self._items: list[Any] = []
        self._limit = limit
        self._size = 0

    def add(self, item: Any) -> None:
        if self._size > self._limit:
            return
        self._items.append(item)
        self._size += len(item) if isinstance(item, str) else len(render_value(item, self._limit)) + 2

    def text(self) -> str:
        if self._items and all(isinstance(item, str) for item in self._items):
            return truncate("".join(self._items), self._limit)
        return render_value(self._items, self._limit)
