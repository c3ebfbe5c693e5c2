"""Starting `pyflare serve` as a real subprocess on free ports, and talking to it.

The child gets a clean environment (no PYFLARE_* from the test session) plus what a test asks for;
its stdout is read line by line so tests can wait for the "ready" line and inspect announcements.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from websockets.sync.client import ClientConnection, connect

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60
INIT_KEY = "pf_test_serve_admin_key_0123456789abcdef"  # an admin key of project `default` (writes too)
INGEST_KEY = "pf_test_serve_ingest_key_0123456789abcdef"  # with PYFLARE_INIT_INGEST_KEY: ingest role, `default`
KEYED = {"X-API-Key": INIT_KEY}  # headers of an export into `default`
PROTOBUF = {"Content-Type": "application/x-protobuf", **KEYED}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServeProcess:
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    otlp_http_port: int = field(default_factory=free_port)
    otlp_grpc_port: int = field(default_factory=free_port)
    stdout_lines: list[str] = field(default_factory=list)
    proc: subprocess.Popen[str] | None = None

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def otlp_http(self) -> str:
        return f"http://127.0.0.1:{self.otlp_http_port}"

    @property
    def otlp_grpc(self) -> str:
        return f"127.0.0.1:{self.otlp_grpc_port}"

    def start(self) -> ServeProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
        env.update(self.env)
        self.stdout_lines = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "webapp.cli", "serve", "--data-dir", str(self.data_dir),
             "--port", str(self.port), "--otlp-http-port", str(self.otlp_http_port),
             "--otlp-grpc-port", str(self.otlp_grpc_port)],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self._stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self._stderr), daemon=True).start()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not any(line.startswith("PyFlare ready") for line in self.stdout_lines):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"pyflare serve did not get ready:\n{self.output()}")
            time.sleep(0.02)
        return self

    @staticmethod
    def _pump(stream: Any, sink: list[str]) -> None:
        for line in stream:
            sink.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(["--- stdout", *self.stdout_lines, "--- stderr", *getattr(self, "_stderr", [])])

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `signum` and wait for the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signum)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    # -- the REST API -----------------------------------------------------------------------------
    def query(self, sql: str, api_key: str = INIT_KEY) -> list[dict[str, Any]]:
        """Rows of `sql` through POST /api/v1/query (the caller's project only), as dicts."""
        reply = requests.post(f"{self.web}/api/v1/query", json={"sql": sql, "limit": 10000},
                              headers={"X-API-Key": api_key}, timeout=60)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        names = [c["name"] for c in body["columns"]]
        return [dict(zip(names, row, strict=True)) for row in body["rows"]]


def pyflare_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `pyflare ARGS` on the control database of a data directory (next to a running serve)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
    env["PYFLARE_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def start_serve(data_dir: Path, env: Mapping[str, str] | None = None) -> ServeProcess:
    return ServeProcess(data_dir, dict(env or {})).start()


@contextmanager
def trace_subscriber(web: ServeProcess, project: str, channel: str) -> Iterator[ClientConnection]:
    """A `/ws` connection of `project` (the INIT_KEY's) subscribed to `channel`, e.g. "traces:gpt-4o"."""
    with connect(f"ws://127.0.0.1:{web.port}/ws", additional_headers={"X-API-Key": INIT_KEY},
                 open_timeout=30) as ws:  # fmt: skip
        assert json.loads(ws.recv(timeout=30))["project"] == project
        ws.send(json.dumps({"action": "subscribe", "channels": [channel]}))
        assert json.loads(ws.recv(timeout=30))["type"] == "subscribed"
        yield ws
