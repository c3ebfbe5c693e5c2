"""Every periodic job of PyFlare, in one place: what runs, when, and when a queued run is stale.

Celery beat reads `beat_schedule()` (settings: CELERY_BEAT_SCHEDULE). Each job has a crontab and an
`expires` shorter than its interval, so runs that could not start in time are dropped instead of
piling up behind a slow worker. `PYFLARE_SCHEDULE_<NAME>_SECONDS` (NAME: the job's env name, e.g.
`BUDGETS`) replaces a crontab with a plain interval in seconds — for tests and small demos.
`EmbeddedBeat` runs the same jobs on a thread of one process (embedded mode, eager tasks).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery.schedules import crontab, schedule

from workers.env import env_str

log = logging.getLogger("pyflare.schedule")


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # beat entry name
    task: str  # registered Celery task name
    env_name: str  # PYFLARE_SCHEDULE_<env_name>_SECONDS overrides the crontab
    cron: dict[str, str]  # crontab fields
    expires_seconds: float
    description: str
    every_seconds: float | None = None  # a plain interval instead of the crontab (below a minute)

    def schedule(self) -> Any:
        raw = env_str(f"PYFLARE_SCHEDULE_{self.env_name}_SECONDS", "").strip()
        if raw:
            try:
                seconds = float(raw)
            except ValueError:
                raise ValueError(f"PYFLARE_SCHEDULE_{self.env_name}_SECONDS must be a number, got {raw!r}") from None
            if seconds <= 0:
                raise ValueError(f"PYFLARE_SCHEDULE_{self.env_name}_SECONDS must be > 0, got {raw!r}")
            return schedule(timedelta(seconds=seconds))
        if self.every_seconds is not None:
            return schedule(timedelta(seconds=self.every_seconds))
        return crontab(**self.cron)

    def expires(self) -> float:
        """Never longer than an overridden interval, so a short test interval cannot pile up either."""
        every = self.schedule()
        if isinstance(every, schedule) and not isinstance(every, crontab):
            return min(self.expires_seconds, max(every.run_every.total_seconds() * 0.9, 0.5))
        return self.expires_seconds


JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("settle-cost-rollup", "costs.settle_rollup", "ROLLUP", {"minute": "*"}, 55,
                "rebuild the days of the hourly cost rollup that changed"),
    PeriodicJob("evaluate-budgets", "costs.evaluate_budgets", "BUDGETS", {"minute": "*"}, 55,
                "compare spend with every budget; alert on thresholds crossed"),
    PeriodicJob("refresh-cost-forecasts", "costs.refresh_forecasts", "FORECASTS", {"minute": "17"}, 3000,
                "refit the daily spend forecast behind each budget's projection"),
    PeriodicJob("dispatch-drift-monitors", "drift.dispatch_due", "DRIFT", {"minute": "*"}, 55,
                "score every enabled drift monitor whose window has elapsed"),
    PeriodicJob("alerting-tick", "alerting.tick", "ALERTS", {}, 4,
                "evaluate due alert rules; send the notifications whose group timers elapsed", every_seconds=5),
)  # fmt: skip


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        job.name: {"task": job.task, "schedule": job.schedule(), "options": {"expires": job.expires()}}
        for job in JOBS
    }


class EmbeddedBeat:
    """Runs due jobs in this process (eager tasks) on a daemon thread; one failing job never stops it."""

    def __init__(self, run: Callable[[str], Any] | None = None, tick_seconds: float = 1.0) -> None:
        self._run = run or _apply_task
        self._tick = tick_seconds
        self._entries = [(job, job.schedule()) for job in JOBS]
        self._last: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pyflare-beat", daemon=True)

    def start(self) -> None:
        if self._run is _apply_task:
            registered = _register_tasks()
            missing = sorted({job.task for job in JOBS} - registered)
            if missing:
                raise RuntimeError(f"periodic job task(s) not registered: {', '.join(missing)}")
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        from datetime import UTC, datetime

        for job, _ in self._entries:
            self._last[job.name] = datetime.now(UTC)
        while not self._stop.wait(self._tick):
            for job, every in self._entries:
                due, _next = every.is_due(self._last[job.name])
                if not due:
                    continue
                self._last[job.name] = datetime.now(UTC)
                try:
                    self._run(job.task)
                except Exception:
                    log.exception("periodic job %s failed; it runs again at its next time", job.name)


def _register_tasks() -> set[str]:
    """Import the task modules now (CELERY_IMPORTS and the apps' tasks.py), as a worker does at
    start: in embedded mode nothing else imports them before the beat's first tick."""
    from workers.celery import app

    app.loader.import_default_modules()
    return set(app.tasks)


def _apply_task(name: str) -> Any:
    from workers.celery import app

    return app.tasks[name].apply().get(propagate=True)
