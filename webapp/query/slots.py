"""How many user queries run at once: at most N per project and M in the whole process.

A query over either limit is refused at once (the API answers 429 with Retry-After) rather than
queued, so a burst of heavy queries cannot pile up threads, memory and engine time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class QueryBusy(Exception):
    """Too many queries are running; the message says which limit and how to raise it."""


class QuerySlots:
    def __init__(self, per_project: int, total: int) -> None:
        self.per_project = per_project
        self.total = total
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, project: str) -> Iterator[None]:
        with self._lock:
            running = self._running.get(project, 0)
            if running >= self.per_project:
                raise QueryBusy(
                    f"project {project!r} already runs {running} queries, the most allowed at once "
                    f"(PYFLARE_QUERY_MAX_CONCURRENT_PER_PROJECT={self.per_project}); retry when one finishes"
                )
            if sum(self._running.values()) >= self.total:
                raise QueryBusy(
                    f"the server already runs {self.total} queries, the most allowed at once "
                    f"(PYFLARE_QUERY_MAX_CONCURRENT={self.total}); retry when one finishes"
                )
            self._running[project] = running + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running[project] - 1
                if left:
                    self._running[project] = left
                else:
                    del self._running[project]

    def running(self, project: str) -> int:
        with self._lock:
            return self._running.get(project, 0)
