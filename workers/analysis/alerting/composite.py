"""Boolean expressions over rule ids for composite rules: `r1 and (r2 or not r3)`.

Grammar: or-expression of and-expressions of optionally negated terms; a term is a rule id (letters,
digits, '-' and '_') or a parenthesised expression. `and` binds tighter than `or`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\s*(?:(\()|(\))|([A-Za-z0-9_-]+))")
_KEYWORDS = {"and", "or", "not"}
MAX_TERMS = 50


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Expr:
    op: str  # "ref", "not", "and", "or"
    ref: str = ""
    args: tuple[Expr, ...] = ()

    def evaluate(self, firing: Mapping[str, bool]) -> bool:
        if self.op == "ref":
            return bool(firing.get(self.ref, False))
        if self.op == "not":
            return not self.args[0].evaluate(firing)
        if self.op == "and":
            return all(a.evaluate(firing) for a in self.args)
        return any(a.evaluate(firing) for a in self.args)

    def references(self) -> set[str]:
        if self.op == "ref":
            return {self.ref}
        return set().union(*(a.references() for a in self.args))

    def __str__(self) -> str:
        if self.op == "ref":
            return self.ref
        if self.op == "not":
            return f"not {self.args[0]}"
        return "(" + f" {self.op} ".join(str(a) for a in self.args) + ")"


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if found is None:
            raise ExpressionError(f"unexpected {text[pos:].strip()[:10]!r} at position {pos}")
        out.append(found.group(found.lastindex or 0))
        pos = found.end()
    return out


def parse_expression(text: str) -> Expr:
    tokens = _tokens(text)
    if not tokens:
        raise ExpressionError("the expression is empty")
    if sum(1 for t in tokens if t not in _KEYWORDS and t not in "()") > MAX_TERMS:
        raise ExpressionError(f"at most {MAX_TERMS} rule references")
    expr, rest = _or(tokens)
    if rest:
        raise ExpressionError(f"unexpected {rest[0]!r} after a complete expression")
    return expr


def _or(tokens: list[str]) -> tuple[Expr, list[str]]:
    left, rest = _and(tokens)
    args = [left]
    while rest and rest[0] == "or":
        right, rest = _and(rest[1:])
        args.append(right)
    return (args[0] if len(args) == 1 else Expr("or", args=tuple(args))), rest


def _and(tokens: list[str]) -> tuple[Expr, list[str]]:
    left, rest = _not(tokens)
    args = [left]
    while rest and rest[0] == "and":
        right, rest = _not(rest[1:])
        args.append(right)
    return (args[0] if len(args) == 1 else Expr("and", args=tuple(args))), rest


def _not(tokens: list[str]) -> tuple[Expr, list[str]]:
    if not tokens:
        raise ExpressionError("the expression ends where a rule id was expected")
    head, rest = tokens[0], tokens[1:]
    if head == "not":
        inner, rest = _not(rest)
        return Expr("not", args=(inner,)), rest
    if head == "(":
        inner, rest = _or(rest)
        if not rest or rest[0] != ")":
            raise ExpressionError("a '(' is not closed")
        return inner, rest[1:]
    if head in _KEYWORDS or head == ")":
        raise ExpressionError(f"{head!r} where a rule id was expected")
    return Expr("ref", ref=head), rest
