"""`pyflare migrate` as a user runs it: plan, apply, check, on a fresh data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from workers.storage.migrate import discover


def _pyflare(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYFLARE_DATA_DIR": str(data_dir)}
    env.pop("PYFLARE_CLICKHOUSE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "webapp.cli", "migrate", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_plan_apply_check_round_trip(tmp_path: Path) -> None:
    ids = [m.id for m in discover()]

    check = _pyflare(tmp_path, "--check")
    assert check.returncode == 1
    assert check.stdout.split() == [word for mid in ids for word in ("pending:", mid)]

    plan = _pyflare(tmp_path, "--plan")
    assert plan.returncode == 0 and plan.stdout.strip() == f"would apply: {', '.join(ids)}"

    applied = _pyflare(tmp_path)
    assert applied.returncode == 0 and applied.stdout.strip() == f"applied: {', '.join(ids)}"
    assert (tmp_path / "clickhouse").is_dir()

    again = _pyflare(tmp_path)
    assert again.stdout.strip() == "nothing to apply"
    assert _pyflare(tmp_path, "--check").returncode == 0
