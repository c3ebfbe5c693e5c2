"""Settings → notification channels: the Test button sends a test notification through the channel
to a real local HTTP receiver and says what it answered; a failing receiver is reported."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from tests.outbound.receivers import Receiver
from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser


def _channel(serve: ServeProcess, name: str, url: str) -> int:
    reply = requests.post(f"{serve.web}/api/v1/notification-channels", json={"name": name, "url": url}, timeout=30,
                          headers={"X-API-Key": INIT_KEY, "X-PyFlare-Project": PROJECT})
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


@pytest.mark.parametrize(("status", "shown"), [(204, "delivered (HTTP 204)"), (500, "not delivered")])
def test_the_test_button_sends_through_the_channel(page: Any, ui_serve: ServeProcess, status: int, shown: str) -> None:
    receiver = Receiver(status=status)
    try:
        name = f"hook-{uuid.uuid4().hex[:6]}"
        _channel(ui_serve, name, f"{receiver.url}/pyflare")
        login(page)
        page.goto(f"/p/{PROJECT}/settings?tab=channels")
        page.get_by_role("button", name=f"Send a test notification to {name}").click()
        result = page.get_by_test_id("channel-test-result")
        result.filter(has_text=shown).wait_for()
        assert len(receiver.requests) == 1
        sent = receiver.requests[0]
        assert (sent["method"], sent["path"]) == ("POST", "/pyflare")
        body = json.loads(sent["body"])
        # a webhook channel speaks Alertmanager's v4 body: one firing alert labelled as PyFlare's channel test
        assert (body["version"], body["status"], body["receiver"], len(body["alerts"])) == ("4", "firing", name, 1)
        assert body["commonLabels"] == {"alertname": "PyFlareChannelTest", "project": PROJECT, "channel": name}
    finally:
        receiver.close()
