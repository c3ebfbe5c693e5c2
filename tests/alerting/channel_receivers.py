"""Real local receivers for channel tests: an HTTP server recording JSON POSTs (webhook, Slack,
PagerDuty), answering with queued statuses, and helpers to build channels and messages."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.webapp import conftest as webapp_fixtures
from tests.webapp.conftest import World
from workers.analysis.alerting.messages import AlertItem, AlertMessage

CHANNELS = "/api/v1/notification-channels"
world, fresh_throttles = webapp_fixtures.world, webapp_fixtures._fresh_throttles  # fixtures tests re-export


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: Any


class Receiver:
    """Records every POST (also the refused ones, in `attempts`); answers with `replies` in turn
    (then 200, or `default_status`)."""

    def __init__(self, default_status: int = 200) -> None:
        self.received: list[Request] = []
        self.attempts: list[int] = []
        self.replies: list[int] = []
        self.default_status = default_status
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = receiver.replies.pop(0) if receiver.replies else receiver.default_status
                    receiver.attempts.append(status)
                    if 200 <= status < 300:
                        receiver.received.append(Request(self.path, dict(self.headers), json.loads(raw)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.OUTBOUND_ALLOW_CIDRS = ["127.0.0.1/32"]  # loopback is refused unless allowed
    hook = Receiver()
    yield hook
    hook.close()


def admin_client(world: World, side: str = "own", role: str = "admin") -> Any:
    from rest_framework.test import APIClient  # after Django is set up (tests.webapp.conftest)

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=getattr(world, side).keys[role])
    return client


def item(name: str, status: str = "firing", starts_at: float = 1_780_000_000.0, **labels: str) -> AlertItem:
    all_labels = {"alertname": name, **labels}
    return AlertItem(fingerprint=f"fp-{name}-{sorted(labels.items())}", labels=all_labels,
                     annotations={"summary": f"{name} is {status}"}, starts_at=starts_at,
                     ends_at=starts_at + 60 if status == "resolved" else None, status=status,
                     url=f"https://pyflare.example/alerts/{name}")  # fmt: skip


def message(*items: AlertItem, project: str = "own", receiver: str = "ops") -> AlertMessage:
    return AlertMessage(project=project, receiver=receiver, group_key='{}:{model_id="gpt-4o"}',
                        group_labels={"model_id": "gpt-4o"}, common_labels={"model_id": "gpt-4o"},
                        common_annotations={}, alerts=items, external_url="https://pyflare.example/")  # fmt: skip

