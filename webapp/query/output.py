"""A query result written as JSON or CSV, block by block, into a body of at most `cap` bytes.

The cap is checked as each row is written, so an oversized result stops (and its query is
cancelled by the caller closing the stream) as soon as it passes the cap, never after it is built.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from webapp.query.engine import jsonable

Rows = Iterable[Sequence[Any]]


class BodyTooLarge(Exception):
    """The body would pass its cap."""


class _CappedBody:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise BodyTooLarge
        self.parts.append(data)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _dumps(value: Any) -> bytes:
    # as DRF's JSONRenderer writes: compact, UTF-8, no NaN (jsonable already spelled those out)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def json_body(columns: list[tuple[str, str]], blocks: Iterable[Rows], *, cap: int,
              trailer: Callable[[int], dict[str, Any]]) -> bytes:
    """`{"columns": [...], "rows": [...], **trailer(row_count)}`; raises BodyTooLarge past `cap`."""
    body = _CappedBody(cap)
    body.write(b'{"columns":' + _dumps([{"name": n, "type": t} for n, t in columns]) + b',"rows":[')
    count = 0
    for block in blocks:
        for row in block:
            body.write((b"," if count else b"") + _dumps([jsonable(v) for v in row]))
            count += 1
    tail = _dumps(trailer(count))
    body.write(b"]," + tail[1:] if tail != b"{}" else b"]}")
    return body.getvalue()


def csv_body(columns: list[tuple[str, str]], blocks: Iterable[Rows], *, cap: int) -> bytes:
    """A header row, then one line per row; raises BodyTooLarge past `cap`."""
    body = _CappedBody(cap)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([name for name, _ in columns])
    for block in blocks:
        for row in block:
            writer.writerow([_csv_cell(jsonable(v)) for v in row])
            body.write(text.getvalue().encode("utf-8"))
            text.seek(0)
            text.truncate()
    body.write(text.getvalue().encode("utf-8"))
    return body.getvalue()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else value
