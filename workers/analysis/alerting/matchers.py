"""Label matchers `=`, `!=`, `=~`, `!~`, with Alertmanager's meaning.

A missing label matches as the empty string (so `team=""` matches alerts without `team`), and
regexes are fully anchored: `service=~"api|web"` matches `api` but not `api-gateway`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from workers.analysis.alerting.labels import Labels

_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_.]*\Z")
# name, operator, value: the value may be quoted (with \" and \\ escapes) or bare
_MATCHER = re.compile(r'\s*([^\s=!~]+)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]*))\s*\Z')


class MatcherError(ValueError):
    """A matcher that cannot be used, with a message naming what is wrong."""


class MatchOp(StrEnum):
    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


@dataclass(frozen=True)
class Matcher:
    name: str
    op: MatchOp
    value: str
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise MatcherError(f"{self.name!r} is not a label name (letters, digits, '_' and '.', not first a digit)")
        op = MatchOp(self.op)
        object.__setattr__(self, "op", op)
        if op in (MatchOp.RE, MatchOp.NRE):
            try:
                compiled = re.compile(f"(?:{self.value})\\Z", re.DOTALL)
            except re.error as exc:
                raise MatcherError(f"{self.name}{op}{self.value!r}: not a regular expression ({exc})") from None
            object.__setattr__(self, "_regex", compiled)

    def matches(self, labels: Labels) -> bool:
        actual = labels.get(self.name, "")
        if self.op is MatchOp.EQ:
            return actual == self.value
        if self.op is MatchOp.NE:
            return actual != self.value
        assert self._regex is not None
        found = self._regex.match(actual) is not None
        return found if self.op is MatchOp.RE else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'


def matches_all(matchers: Iterable[Matcher], labels: Labels) -> bool:
    return all(m.matches(labels) for m in matchers)


def parse_matcher(text: str) -> Matcher:
    """`name="value"`, `name!=value`, `name=~"re"`, `name!~"re"` → a Matcher."""
    found = _MATCHER.match(text)
    if found is None:
        raise MatcherError(f"{text!r} is not a matcher: write name=\"value\" with =, !=, =~ or !~")
    name, op, quoted, bare = found.groups()
    value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
    return Matcher(name, MatchOp(op), value)


def parse_matchers(texts: Sequence[str] | str) -> tuple[Matcher, ...]:
    """A list of matcher strings, or one `{a="1", b=~"x"}` string, → matchers."""
    if isinstance(texts, str):
        inner = texts.strip()
        if inner.startswith("{") and inner.endswith("}"):
            inner = inner[1:-1]
        texts = [part for part in _split_top_level(inner) if part.strip()]
    return tuple(parse_matcher(t) for t in texts)


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside quoted values."""
    parts, current, quoted, escaped = [], [], False, False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts
