"""Channel families a websocket client may subscribe to, and one connection's subscriptions.

A channel is `<family>:<target>`; `*` targets everything of the family. Families are registered
here with the permission a subscriber needs; later features (alerts, drift, health) add theirs
the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_TARGET = re.compile(r"^[^\s:]{1,256}$")


@dataclass(frozen=True)
class ChannelFamily:
    name: str
    description: str
    permission: str


FAMILIES: dict[str, ChannelFamily] = {}


def register_family(name: str, description: str, permission: str) -> None:
    FAMILIES[name] = ChannelFamily(name, description, permission)


register_family("traces", "new traces: `traces:*` for all, `traces:<model_id>` for one model", "traces:read")


class ChannelError(ValueError):
    """A channel name that cannot be subscribed to; the message lists what is valid."""


def parse_channel(channel: object) -> tuple[ChannelFamily, str]:
    if not isinstance(channel, str) or ":" not in channel:
        raise ChannelError(f"channel {channel!r} must be '<family>:<target>', e.g. 'traces:*' or 'traces:gpt-4o'")
    name, target = channel.split(":", 1)
    family = FAMILIES.get(name)
    if family is None:
        raise ChannelError(f"unknown channel family {name!r}; valid: {', '.join(sorted(FAMILIES))}")
    if not _TARGET.match(target):
        raise ChannelError(f"channel {channel!r}: the target must be '*' or a name without spaces or ':'")
    return family, target


class Subscriptions:
    def __init__(self) -> None:
        self._targets: dict[str, set[str]] = {}

    def add(self, family: str, target: str) -> None:
        self._targets.setdefault(family, set()).add(target)

    def remove(self, family: str, target: str) -> None:
        self._targets.get(family, set()).discard(target)

    def channels(self) -> list[str]:
        return sorted(f"{f}:{t}" for f, targets in self._targets.items() for t in targets)

    def wants(self, family: str, targets: Iterable[str]) -> bool:
        """True if subscribed to `family:*` or to any of `targets`."""
        mine = self._targets.get(family)
        if not mine:
            return False
        return "*" in mine or any(t in mine for t in targets)
