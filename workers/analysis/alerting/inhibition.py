"""Inhibition: a firing source alert mutes target alerts that share the values of its `equal` labels.

As in Alertmanager, a label missing on both sides counts as equal (empty), and an alert never inhibits
itself: an alert matching both the source and the target side is muted only by another alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workers.analysis.alerting.labels import Labels, fingerprint
from workers.analysis.alerting.matchers import Matcher, matches_all


@dataclass(frozen=True)
class InhibitRule:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...] = ()

    def mutes(self, target: Labels, source: Labels) -> bool:
        return (
            matches_all(self.target, target)
            and matches_all(self.source, source)
            and all(target.get(name, "") == source.get(name, "") for name in self.equal)
        )


def inhibited(labels: Labels, rules: Iterable[InhibitRule], firing: Iterable[Labels]) -> bool:
    """Whether some rule mutes `labels` because of one of the `firing` alerts (label sets)."""
    own = fingerprint(labels)
    sources = [s for s in firing if fingerprint(s) != own]
    return any(rule.mutes(labels, source) for rule in rules for source in sources)
