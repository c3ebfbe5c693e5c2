"""A real Celery worker and beat as subprocesses on the stack's Redis, for scale-mode tests: the
environment they share (their own data directory and queue), and starting and stopping them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def scale_env(data: Path, redis_url: str, queue: str, **settings: str) -> dict[str, str]:
    """This process's environment without its PYFLARE_* settings, pointed at `data` and `queue`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "webapp.settings", "PYFLARE_DATA_DIR": str(data),
        "PYFLARE_SECRET_KEY": uuid.uuid4().hex * 2, "PYFLARE_REDIS_URL": redis_url, "PYFLARE_CELERY_QUEUE": queue,
        "PYFLARE_OUTBOUND_ALLOW_CIDRS": "127.0.0.1/32", **settings,
    })  # fmt: skip
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "workers.celery", *args], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@dataclass
class WorkerAndBeat:
    worker: subprocess.Popen[bytes]
    beat: subprocess.Popen[bytes]
    worker_log: Path
    beat_log: Path

    @property
    def logs(self) -> list[Path]:
        return [self.worker_log, self.beat_log]

    def stop(self) -> None:
        stop(self.beat)
        stop(self.worker)


def start_worker_and_beat(env: dict[str, str], queue: str, tmp_path: Path) -> WorkerAndBeat:
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = start(["worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO"], env, worker_log)
    beat = start(["beat", "--schedule", str(tmp_path / "beat-schedule"), "--max-interval", "1", "--loglevel=INFO"],
                 env, beat_log)  # fmt: skip
    return WorkerAndBeat(worker, beat, worker_log, beat_log)


def seed(module: str, args: list[str], env: dict[str, str]) -> None:
    """Run a seeding module (python -m) in its own process; it owns the data directory while it runs."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
