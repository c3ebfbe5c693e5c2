"""Model and provider names as spans carry them -> the names the price table is keyed by.

The stripping rules live in the price table itself (`name_rules`), so the SDK and the server
apply the very same rules; they are tried from the most specific name to the least.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

_BOUNDARY = "[a-z0-9.]"


def normalise_provider(raw: str | None, aliases: Mapping[str, str]) -> str | None:
    """Same mapping as the span normaliser (`workers.telemetry.providers`); '' and None mean unknown."""
    if not raw:
        return None
    lowered = raw.strip().lower()
    if not lowered:
        return None
    return aliases.get(lowered.replace(" ", "_").replace("-", "_"), lowered)


def name_candidates(model: str, rules: Sequence[re.Pattern[str]]) -> list[tuple[str, str]]:
    """(candidate, how it was derived), most specific first: each rule strips from the previous result."""
    name = model.strip().lower()
    out = [(name, "exact")]
    for rule in rules:
        stripped = rule.sub("", name, count=1)
        if stripped and stripped != name:
            name = stripped
            out.append((name, f"rule {rule.pattern}"))
    return out


def contained_name(raw: str, known: Iterable[str]) -> str | None:
    """Longest known model name inside a free-form deployment name (`prod-gpt-4o-mini-eastus`)."""
    lowered = raw.strip().lower()
    best: str | None = None
    for name in known:
        if (
            (best is None or len(name) > len(best))
            and name in lowered
            and re.search(f"(?<!{_BOUNDARY}){re.escape(name)}(?!{_BOUNDARY})", lowered)
        ):
            best = name
    return best
