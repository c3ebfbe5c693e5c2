"""Client-side redaction of captured text: built-in patterns (emails, card numbers, API keys) and/or
a callable of your own, applied before any captured content is put on a span.

`pyflare.init(redact=True)` turns the built-in patterns on; `redact=my_function` runs the patterns
and then `my_function(text) -> text`; `redact=Redactor(patterns=False, hook=f)` runs only the hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 13-19 digits, optionally grouped by spaces or dashes; checked with Luhn so order ids survive
_CARD_CANDIDATE = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
API_KEY = re.compile(
    r"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|xox[abpr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})"
)
EMAIL_MASK = "[REDACTED_EMAIL]"
CARD_MASK = "[REDACTED_CARD]"
API_KEY_MASK = "[REDACTED_API_KEY]"


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    return CARD_MASK if luhn_valid(digits) else match.group(0)


def redact_builtin(text: str) -> str:
    """Mask API keys, emails and (Luhn-valid) card numbers."""
    text = API_KEY.sub(API_KEY_MASK, text)
    text = EMAIL.sub(EMAIL_MASK, text)
    return _CARD_CANDIDATE.sub(_mask_card, text)


@dataclass(frozen=True)
class Redactor:
    """Built-in patterns (unless `patterns=False`), then the optional hook."""

    patterns: bool = True
    hook: Callable[[str], str] | None = None

    def __call__(self, text: str) -> str:
        if self.patterns:
            text = redact_builtin(text)
        if self.hook is not None:
            text = str(self.hook(text))
        return text


def redactor_of(option: bool | Callable[[str], str] | None) -> Callable[[str], str] | None:
    """The `redact` option of `pyflare.init` as a text -> text function (None: no redaction)."""
    if option is None or option is False:
        return None
    if option is True:
        return redact_builtin
    if isinstance(option, Redactor):
        return option
    if callable(option):
        return Redactor(hook=option)
    raise ValueError(f"redact must be True/False, a callable (str) -> str or a Redactor, got {option!r}")
