"""Silences: matchers over a time span, with who made them and why; expirable early."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from workers.analysis.alerting.labels import Labels
from workers.analysis.alerting.matchers import Matcher, MatcherError, matches_all


class SilenceState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Silence:
    id: str
    matchers: tuple[Matcher, ...]
    starts_at: float
    ends_at: float
    created_by: str = ""
    comment: str = ""

    def __post_init__(self) -> None:
        check_silence(self.matchers, self.starts_at, self.ends_at)

    def state(self, now: float) -> SilenceState:
        if now < self.starts_at:
            return SilenceState.PENDING
        if now < self.ends_at:
            return SilenceState.ACTIVE
        return SilenceState.EXPIRED

    def mutes(self, labels: Labels, now: float) -> bool:
        return self.state(now) is SilenceState.ACTIVE and matches_all(self.matchers, labels)


def check_silence(matchers: tuple[Matcher, ...], starts_at: float, ends_at: float) -> None:
    """A silence needs a matcher that an empty label set fails, so it can never mute everything."""
    if not matchers:
        raise MatcherError("a silence needs at least one matcher")
    if all(m.matches({}) for m in matchers):
        raise MatcherError("at least one matcher must not match the empty string (it would silence every alert)")
    if ends_at <= starts_at:
        raise MatcherError("a silence must end after it starts")


def silenced_by(silences: Iterable[Silence], labels: Labels, now: float) -> list[str]:
    """Ids of the active silences muting `labels`."""
    return [s.id for s in silences if s.mutes(labels, now)]
