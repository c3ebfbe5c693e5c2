"""Finding the message that makes a batch unwritable, so it alone goes to the dead letters.

A batch that fails to convert or to write is rebuilt from its messages in halves, recursively;
a single message that still fails is a poison message. Failures of the write path itself
(connection refused, timeouts) are not the data's fault: they are raised, and the loop keeps the
batch and retries it, with `/ready` failing meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from workers.ingest.ports import SourceMessage

_TRANSIENT_NAMES = {"OperationalError"}  # clickhouse-connect: the server could not be reached


def is_transient(exc: BaseException) -> bool:
    """True when the error says the write path is down rather than the data is bad."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (ConnectionError, TimeoutError)) or (
            isinstance(seen, OSError) and not isinstance(seen, (FileNotFoundError, PermissionError))
        ):
            return True
        if _TRANSIENT_NAMES & {cls.__name__ for cls in type(seen).__mro__}:
            return True
        seen = seen.__cause__
    return False


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def write_isolating(
    messages: Sequence[SourceMessage],
    write: Callable[[Sequence[SourceMessage]], None],
    dead_letter: Callable[[SourceMessage, str], None],
    what: str,
) -> None:
    """Write `messages` (rebuilt and written by `write`), bisecting around the ones that fail.

    `write` raises for a failing group; transient errors propagate (nothing is dead-lettered for them).
    """
    if not messages:
        return
    try:
        write(messages)
        return
    except Exception as exc:
        if is_transient(exc):
            raise
        if len(messages) == 1:
            dead_letter(messages[0], f"storing the {what} payload failed: {describe(exc)}")
            return
    middle = len(messages) // 2
    write_isolating(messages[:middle], write, dead_letter, what)
    write_isolating(messages[middle:], write, dead_letter, what)
