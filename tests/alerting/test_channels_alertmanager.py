"""Forwarding to an existing Alertmanager (Debian's prometheus-alertmanager, a real process): the
alerts show in its /api/v2/alerts and resolve there; and the webhook body Alertmanager itself sends
has the same fields as PyFlare's webhook body (so one receiver serves both)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import CHANNELS, Receiver, admin_client, item, message
from tests.webapp.conftest import World
from webapp.costs.models import NotificationChannel
from webapp.costs.senders import deliver
from workers.analysis.alerting.payloads import webhook_payload

world, receiver, _fresh_throttles = receivers.world, receivers.receiver, receivers.fresh_throttles  # fixtures
ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def alertmanager(tmp_path: Path, receiver: Receiver) -> Iterator[str]:
    """A real Alertmanager whose one route sends webhooks to `receiver` after a 1 s group_wait."""
    port = _free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(json.dumps({  # YAML is a superset of JSON
        "route": {"receiver": "hook", "group_by": ["model_id"], "group_wait": "1s", "group_interval": "1s",
                  "repeat_interval": "1h"},
        "receivers": [{"name": "hook", "webhook_configs": [{"url": receiver.url("/from-am"),
                                                            "send_resolved": True}]}],
    }))  # fmt: skip
    log = tmp_path / "am.log"
    proc = subprocess.Popen([ALERTMANAGER, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
                             "--log.level=warn"], stdout=subprocess.DEVNULL, stderr=log.open("wb"))  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/ready", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"alertmanager did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _am_alerts(base: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base}/api/v2/alerts", timeout=5) as response:
        return list(json.loads(response.read()))


def _wait(condition: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def _channel(world: World, base: str) -> NotificationChannel:
    response = admin_client(world).post(CHANNELS, {"name": "am", "kind": "alertmanager", "url": base},
                                        format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    return NotificationChannel.objects.get(pk=response.json()["id"])


def test_forwarded_alerts_show_in_alertmanager_and_resolve_there(world: World, alertmanager: str) -> None:
    channel = _channel(world, alertmanager)
    now = time.time()
    deliver(channel, message(item("HighErrorRate", starts_at=now - 30, model_id="gpt-4o"),
                             item("SlowP99", starts_at=now - 10, model_id="gpt-4o")))  # fmt: skip
    shown = {a["labels"]["alertname"]: a for a in _am_alerts(alertmanager)}
    assert set(shown) == {"HighErrorRate", "SlowP99"}
    assert shown["HighErrorRate"]["labels"] == {"alertname": "HighErrorRate", "model_id": "gpt-4o"}
    assert shown["HighErrorRate"]["annotations"] == {"summary": "HighErrorRate is firing"}
    assert shown["HighErrorRate"]["status"]["state"] == "active"
    assert shown["HighErrorRate"]["generatorURL"] == "https://pyflare.example/alerts/HighErrorRate"

    resolved = item("HighErrorRate", "resolved", starts_at=now - 120, model_id="gpt-4o")  # ended 60 s ago
    deliver(channel, message(resolved))
    assert [a["labels"]["alertname"] for a in _am_alerts(alertmanager)] == ["SlowP99"]


def test_alertmanagers_own_webhook_has_pyflares_fields(world: World, alertmanager: str, receiver: Receiver) -> None:
    deliver(_channel(world, alertmanager), message(item("HighErrorRate", starts_at=time.time(), model_id="gpt-4o")))
    _wait(lambda: any(r.path == "/from-am" for r in receiver.received))  # after group_wait
    [from_am] = [r.body for r in receiver.received if r.path == "/from-am"]
    ours = webhook_payload(message(item("HighErrorRate", model_id="gpt-4o")))
    assert set(ours) == set(from_am) and ours["version"] == from_am["version"] == "4"
    assert set(ours["alerts"][0]) == set(from_am["alerts"][0])
    assert from_am["alerts"][0]["endsAt"] == ours["alerts"][0]["endsAt"] == "0001-01-01T00:00:00Z"
    assert from_am["groupLabels"] == ours["groupLabels"] == {"model_id": "gpt-4o"}
