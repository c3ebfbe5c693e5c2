"""Drift tasks: the per-minute dispatch of due monitors, one monitor's scheduled run, and run-now.

Thin wrappers over webapp.drift.dispatch. The dispatch queues each due monitor with an `expires`
shorter than its own interval; a run that starts late is harmless anyway, because a run claims its
window on the monitor before scoring and a second run of the same window finds nothing due.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.result import EagerResult

from workers.celery import app

log = logging.getLogger("pyflare.drift")
RUN_EXPIRES_S = 55


@app.task(name="drift.dispatch_due", ignore_result=True)
def dispatch_due(now_ns: int | None = None) -> dict[str, Any]:
    """Queue a run for every enabled monitor whose window has elapsed (`now_ns`: unix ns, default now)."""
    from webapp.drift.dispatch import due_monitor_ids

    due = due_monitor_ids(now_ns)
    results: list[Any] = []
    for monitor_id in due:
        try:
            queued = run_monitor.apply_async(args=[monitor_id, now_ns], expires=RUN_EXPIRES_S)
        except Exception:  # eager mode (one process): one failing monitor must not stop the others
            log.exception("drift run of monitor %s failed", monitor_id)
            results.append(None)
            continue
        # eager (one process): the outcome is here; queued: only the worker will know it (no result backend)
        results.append(queued.result if isinstance(queued, EagerResult) else None)
    return {"dispatched": due, "results": results}


@app.task(name="drift.run_monitor", ignore_result=True)
def run_monitor(monitor_id: int, now_ns: int | None = None) -> dict[str, Any] | None:
    from webapp.drift.dispatch import run_due

    outcome = run_due(monitor_id, now_ns)
    return None if outcome is None else outcome.to_dict()


@app.task(name="drift.run_monitor_now")
def run_monitor_now(monitor_id: int, start_ns: int | None = None, end_ns: int | None = None) -> dict[str, Any]:
    from webapp.drift.dispatch import run_now
    from webapp.drift.models import DriftMonitor

    monitor = DriftMonitor.objects.select_related("project", "reference").get(pk=monitor_id)
    return run_now(monitor, start_ns, end_ns).to_dict()
