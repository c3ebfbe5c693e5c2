"""Validation shared by the alerting models: label maps and matcher lists, as ValidationErrors naming
the field."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

from workers.analysis.alerting import Matcher, MatcherError, parse_matchers

LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_.]*\Z")  # as the matchers accept


def label_map(field: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError({field: "must be an object of name: value strings"})
    for name, text in value.items():
        if not isinstance(name, str) or not LABEL_NAME.match(name):
            raise ValidationError({field: f"{name!r} is not a label name (letters, digits, '_' and '.')"})
        if not isinstance(text, str):
            raise ValidationError({field: f"{name}: the value must be a string"})


def matchers(field: str, value: Any) -> tuple[Matcher, ...]:
    if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
        raise ValidationError({field: 'must be a list of matchers such as model_id="gpt-4o" or service=~"api|web"'})
    try:
        return parse_matchers(value)
    except MatcherError as exc:
        raise ValidationError({field: str(exc)}) from None


def label_names(field: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(n, str) and LABEL_NAME.match(n) for n in value):
        raise ValidationError({field: "must be a list of label names"})
