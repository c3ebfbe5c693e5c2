"""Email channels against a real SMTP server (aiosmtpd on 127.0.0.1): the message's subject, sender,
recipients and both bodies; SMTP authentication; the password never shown; a server without STARTTLS
and a wrong password fail with a message saying so; the SMTP host obeys the outbound policy."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import CHANNELS, admin_client, item, message
from tests.webapp.conftest import World
from webapp.costs.models import NotificationChannel
from webapp.costs.senders import DeliveryError, deliver

world, _fresh_throttles = receivers.world, receivers.fresh_throttles  # fixtures
USER, PASSWORD = "pyflare", "correct horse"


@dataclass
class Mailbox:
    port: int = 0
    mails: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    settings.OUTBOUND_ALLOW_CIDRS = ["127.0.0.1/32"]
    box = Mailbox(port=_free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port, authenticator=_authenticate,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    yield box
    controller.stop()


def _email(world: World, port: int, **config: Any) -> dict[str, Any]:
    body = {"name": "mail", "kind": "email", "secrets": {"username": USER, "password": PASSWORD},
            "config": {"host": "127.0.0.1", "port": port, "starttls": False, "from": "pyflare@example.com",
                       "to": ["oncall@example.com", "lead@example.com"], **config}}  # fmt: skip
    return dict(admin_client(world).post(CHANNELS, body, format="json").json())


def test_an_alert_arrives_as_an_email(world: World, mailbox: Mailbox) -> None:
    created = _email(world, mailbox.port)
    channel = NotificationChannel.objects.get(pk=created["id"])
    deliver(channel, message(item("HighErrorRate", model_id="gpt-4o"), item("SlowP99", "resolved")))
    [(sender, recipients, mail)] = mailbox.mails
    assert (sender, recipients) == ("pyflare@example.com", ["oncall@example.com", "lead@example.com"])
    assert mail["Subject"] == "[FIRING:1] HighErrorRate model_id=gpt-4o"
    assert (mail["From"], mail["To"]) == ("pyflare@example.com", "oncall@example.com, lead@example.com")
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Firing (1):\n- HighErrorRate is firing (alertname=HighErrorRate, model_id=gpt-4o)" in text
    assert "Resolved (1):\n- SlowP99 is resolved (alertname=SlowP99)" in text
    assert '<a href="https://pyflare.example/alerts/HighErrorRate">open</a>' in html


def test_the_password_is_never_shown(world: World, mailbox: Mailbox) -> None:
    created = _email(world, mailbox.port)
    assert PASSWORD not in str(created) and created["secrets_set"] == ["password", "username"]
    shown = admin_client(world).get(f"{CHANNELS}/{created['id']}").json()
    assert PASSWORD not in str(shown) and shown["config"]["host"] == "127.0.0.1"


def test_a_wrong_password_fails_without_retry(world: World, mailbox: Mailbox) -> None:
    channel = NotificationChannel.objects.get(pk=_email(world, mailbox.port)["id"])
    channel.secrets = {"username": USER, "password": "wrong"}
    with pytest.raises(DeliveryError) as failed:
        deliver(channel, message(item("A")))
    assert (str(failed.value), failed.value.retryable) == ("SMTP authentication failed", False)
    assert mailbox.mails == []


def test_starttls_required_but_not_offered_is_an_error(world: World, mailbox: Mailbox) -> None:
    channel = NotificationChannel.objects.get(pk=_email(world, mailbox.port, starttls=True)["id"])
    with pytest.raises(DeliveryError, match="does not offer STARTTLS") as failed:
        deliver(channel, message(item("A")))
    assert not failed.value.retryable and mailbox.mails == []


def test_a_closed_port_is_a_retryable_connection_failure(world: World, mailbox: Mailbox) -> None:
    channel = NotificationChannel.objects.get(pk=_email(world, _free_port())["id"])
    with pytest.raises(DeliveryError) as failed:
        deliver(channel, message(item("A")))
    assert (str(failed.value), failed.value.retryable) == ("connection failed", True)


def test_a_loopback_smtp_host_is_refused_unless_allowed(world: World, settings: Any) -> None:
    settings.OUTBOUND_ALLOW_CIDRS = []
    refused = admin_client(world).post(CHANNELS, {"name": "mail", "kind": "email", "config": {
        "host": "127.0.0.1", "port": 25, "from": "a@example.com", "to": ["b@example.com"]}}, format="json")
    assert refused.status_code == 400
    assert "destination not allowed" in str(refused.json()["details"]["config.host"])
