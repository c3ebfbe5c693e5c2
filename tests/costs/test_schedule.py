"""The one schedule module: every periodic job names a registered task, expires before its next
run, can be sped up from the environment, and runs in-process in embedded mode."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from celery.schedules import crontab, schedule

from workers.celery import app
from workers.schedule import JOBS, EmbeddedBeat, beat_schedule


def test_every_job_is_a_registered_task_that_expires_before_it_runs_again() -> None:
    import workers.tasks  # noqa: F401 (registers the tasks, as CELERY_IMPORTS does in a worker)

    entries = beat_schedule()
    assert set(entries) == {job.name for job in JOBS}
    for job in JOBS:
        entry = entries[job.name]
        assert entry["task"] in app.tasks, entry["task"]
        if job.every_seconds is not None:  # a plain interval below a minute (the alerting tick)
            assert entry["schedule"].run_every == timedelta(seconds=job.every_seconds)
            assert 0 < entry["options"]["expires"] < job.every_seconds
            continue
        assert isinstance(entry["schedule"], crontab)
        every_minute = job.cron.get("minute") == "*" and "hour" not in job.cron
        assert 0 < entry["options"]["expires"] < (60 if every_minute else 3600)
    assert app.conf.beat_schedule.keys() == entries.keys()  # what beat actually reads


def test_an_interval_from_the_environment_replaces_the_crontab(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYFLARE_SCHEDULE_BUDGETS_SECONDS", "2")
    entry = beat_schedule()["evaluate-budgets"]
    assert isinstance(entry["schedule"], schedule) and not isinstance(entry["schedule"], crontab)
    assert entry["schedule"].run_every == timedelta(seconds=2) and entry["options"]["expires"] == 1.8
    monkeypatch.setenv("PYFLARE_SCHEDULE_BUDGETS_SECONDS", "soon")
    with pytest.raises(ValueError, match="PYFLARE_SCHEDULE_BUDGETS_SECONDS"):
        beat_schedule()


def test_embedded_beat_runs_due_jobs_and_survives_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYFLARE_SCHEDULE_BUDGETS_SECONDS", "0.3")
    monkeypatch.setenv("PYFLARE_SCHEDULE_ROLLUP_SECONDS", "0.3")
    ran: list[str] = []
    done = threading.Event()

    def run(task: str) -> None:
        ran.append(task)
        if ran.count("costs.evaluate_budgets") >= 3:
            done.set()
        if task == "costs.settle_rollup":
            raise RuntimeError("storage down")  # logged; the beat goes on

    beat = EmbeddedBeat(run, tick_seconds=0.05)
    beat.start()
    try:
        assert done.wait(10)
    finally:
        beat.stop(5)
    assert "costs.settle_rollup" in ran and "costs.refresh_forecasts" not in ran
    count = len(ran)
    time.sleep(0.5)
    assert len(ran) == count  # stopped


def test_the_embedded_beat_registers_every_periodic_task_before_its_first_tick() -> None:
    # Regression: `pyflare serve` logged NotRegistered for costs.settle_rollup, costs.evaluate_budgets
    # and drift.dispatch_due at start, because nothing had imported the task modules yet. A fresh
    # interpreter, so that no test has imported them before.
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'webapp.settings'); django.setup()\n"
        "from workers.celery import app\n"
        "from workers.schedule import JOBS, EmbeddedBeat\n"
        "before = {j.task for j in JOBS} & set(app.tasks)\n"
        "beat = EmbeddedBeat(tick_seconds=3600)\n"
        "beat.start()\n"
        "print(len(before), sorted({j.task for j in JOBS} - set(app.tasks)))\n"
        "beat.stop(1)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "[]"]  # none registered before start, all after
