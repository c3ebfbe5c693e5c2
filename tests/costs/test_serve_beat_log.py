"""`pyflare serve` starts its embedded beat with every periodic task registered: its log shows the jobs
running from the first tick, and never `NotRegistered` (costs.settle_rollup, costs.evaluate_budgets
and drift.dispatch_due were once logged as unregistered at start)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.serve.running import INIT_KEY, start_serve
from workers.schedule import JOBS

EVERY_SECOND = {f"PYFLARE_SCHEDULE_{job.env_name}_SECONDS": "1" for job in JOBS}


def test_serve_log_has_no_unregistered_periodic_task(tmp_path: Path) -> None:
    serve = start_serve(tmp_path, {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_PROJECT": "shop",
                                   "PYFLARE_LOG_LEVEL": "DEBUG", **EVERY_SECOND})  # fmt: skip
    try:
        time.sleep(6)  # several ticks of every job
        assert serve.stop() == 0
    finally:
        serve.kill()
    log = serve.output()
    assert "NotRegistered" not in log, log
    assert "periodic job" not in log, log  # no job failed
    for job in JOBS:
        assert job.task in log, (job.task, log)  # ran: at DEBUG the log has a line for each task run
