"""Run a Celery task later without holding the caller.

On a broker this is `apply_async(countdown=...)`. With eager tasks (embedded mode, `pyflare serve`)
Celery would run it at once on the calling thread — for a retry that would mean sleeping in the
periodic-job thread, holding budgets, drift and rollups — so the task waits on one in-process timer
thread instead. Timers of embedded mode live in memory: a retry pending when the process stops is
not resumed (its delivery stays recorded as pending). A task that meets a locked SQLite database
(another thread writing) is run again shortly rather than dropped.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger("pyflare.delayed")

LOCKED_RETRY_S = 0.05  # a locked database is another thread's short write: try again soon
LOCKED_TRIES = 200


class DelayedRunner:
    """One daemon thread running callables when they are due, in due order; a failing one is logged."""

    def __init__(self, name: str = "pyflare-delayed") -> None:
        self._name = name
        self._heap: list[tuple[float, int, Callable[[], Any]]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running = 0

    def call_later(self, seconds: float, call: Callable[[], Any]) -> None:
        with self._wake:
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, seconds), next(self._order), call))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._wake.notify()

    def pending(self) -> int:
        """Calls waiting or running now."""
        with self._wake:
            return len(self._heap) + self._running

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._wake.wait(None if not self._heap else self._heap[0][0] - time.monotonic())
                _due, _n, call = heapq.heappop(self._heap)
                self._running += 1
            try:
                call()
            except Exception:
                log.exception("a delayed task failed")
            finally:
                with self._wake:
                    self._running -= 1


EMBEDDED = DelayedRunner()


def run_later(task: Any, args: Sequence[Any], countdown: float, runner: DelayedRunner = EMBEDDED) -> None:
    """Run the Celery `task` with `args` in `countdown` seconds: on a worker, or on the embedded timer."""
    if task.app.conf.task_always_eager:
        runner.call_later(countdown, lambda: _apply_here(task, args, runner, LOCKED_TRIES))
    else:
        task.apply_async(args=list(args), countdown=countdown)


def _apply_here(task: Any, args: Sequence[Any], runner: DelayedRunner, tries_left: int) -> None:
    from django.db import OperationalError, connections

    try:
        task.apply(args=list(args), throw=True)
    except OperationalError as exc:
        if "locked" not in str(exc) or tries_left <= 1:
            raise
        log.info("%s%s met a locked database; trying again", task.name, tuple(args))
        runner.call_later(LOCKED_RETRY_S, lambda: _apply_here(task, args, runner, tries_left - 1))
    finally:
        connections.close_all()  # this thread's: a long-lived timer thread must not hold them open
