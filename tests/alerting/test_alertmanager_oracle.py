"""Differential test: the same alert stream fed to Prometheus Alertmanager (Debian's
prometheus-alertmanager, a real process) and to PyFlare's grouping rules yields the same
notifications — same batches, same firing and resolved alerts, at the same times (within the
scheduling jitter of a real process)."""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from workers.analysis.alerting import Alert, Channel, Dispatcher, GroupPolicy, Route

ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
POLICY = GroupPolicy(group_by=("model_id",), group_wait=1.0, group_interval=2.0, repeat_interval=7.0)
TOLERANCE = 0.6  # seconds: Alertmanager's timers and HTTP delivery on a loaded machine

# (push time, alertname, model_id, started this many seconds before the push, resolved at the push)
STREAM = [
    (0.2, "A", "m1", 0.0, False),
    (0.6, "B", "m1", 0.0, False),
    (1.7, "C", "m1", 0.0, False),
    (2.5, "D", "m2", 30.0, False),  # old already: its new group is flushed at once
    (2.9, "D", "m2", 30.0, True),
    (3.9, "A", "m1", 0.0, True),
]
UNTIL = 14.5

Sent = tuple[float, tuple[str, ...], tuple[str, ...]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Collector:
    t0: float = 0.0

    def __post_init__(self) -> None:
        self.received: list[Sent] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                firing = tuple(sorted(a["labels"]["alertname"] for a in body["alerts"] if a["status"] == "firing"))
                resolved = tuple(sorted(a["labels"]["alertname"] for a in body["alerts"] if a["status"] == "resolved"))
                collector.received.append((time.monotonic() - collector.t0, firing, resolved))
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[tuple[str, Collector]]:
    collector = Collector()
    port = free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(json.dumps({  # YAML is a superset of JSON
        "route": {"receiver": "hook", "group_by": list(POLICY.group_by), "group_wait": "1s",
                  "group_interval": "2s", "repeat_interval": "7s"},
        "receivers": [{"name": "hook", "webhook_configs": [{"url": collector.url, "send_resolved": True}]}],
    }))
    proc = subprocess.Popen(
        [ALERTMANAGER, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "am.log").open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/ready", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"alertmanager did not start: {(tmp_path / 'am.log').read_text()[-2000:]}")
                time.sleep(0.1)
        yield base, collector
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        collector.server.shutdown()


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def expected() -> list[Sent]:
    """PyFlare's notifications for STREAM on a virtual clock."""
    d = Dispatcher({"r": Route("r", POLICY, (Channel("hook"),))})
    pushes = [(t, Alert({"alertname": n, "model_id": m}, starts_at=t - ago, ends_at=t if resolved else math.inf,
                        updated_at=t)) for t, n, m, ago, resolved in STREAM]
    out: list[Sent] = []
    while True:
        next_flush = d.next_flush()
        now = min(pushes[0][0] if pushes else math.inf, next_flush if next_flush is not None else math.inf)
        if now > UNTIL:
            return out
        if pushes and pushes[0][0] <= now:
            d.push("r", pushes.pop(0)[1], now)
            continue
        for n in d.flush_due(now):
            out.append((now, tuple(sorted(a.labels["alertname"] for a in n.alerts if not a.resolved(now))),
                        tuple(sorted(a.labels["alertname"] for a in n.alerts if a.resolved(now)))))
            d.delivered(n)


def test_pyflare_groups_and_notifies_as_alertmanager_does(alertmanager: tuple[str, Collector]) -> None:
    base, collector = alertmanager
    wall0, collector.t0 = time.time(), time.monotonic()
    for at, name, model, ago, resolved in STREAM:
        time.sleep(max(0.0, at - (time.monotonic() - collector.t0)))
        now = wall0 + at
        body = [{"labels": {"alertname": name, "model_id": model}, "startsAt": iso(now - ago),
                 "endsAt": iso(now if resolved else now + 3600)}]
        request = urllib.request.Request(f"{base}/api/v2/alerts", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(request, timeout=5).read()
    time.sleep(max(0.0, UNTIL - (time.monotonic() - collector.t0)))

    ours = expected()
    theirs = sorted(collector.received)
    assert [(f, r) for _, f, r in theirs] == [(f, r) for _, f, r in ours], (theirs, ours)
    for (their_t, *_), (our_t, *_) in zip(theirs, ours, strict=True):
        assert abs(their_t - our_t) <= TOLERANCE, (theirs, ours)
    # the stream exercises every reason to notify: first batch, new member, immediate flush of an old
    # alert, resolution, the end of a group and a repeat
    assert len(ours) >= 5
