"""Email channels over SMTP: the host is checked by the outbound policy like any URL, and the
connection is pinned to the checked address (STARTTLS still verifies the certificate against the
configured host name). Errors name the failure, never an address."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from django.conf import settings

from webapp.costs.errors import DeliveryError
from webapp.outbound import DestinationRefused, OutboundError, client_from_settings
from workers.analysis.alerting.messages import AlertMessage
from workers.analysis.alerting.payloads import email_content


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class PinnedSMTP(smtplib.SMTP):
    """SMTP to a checked address while EHLO/STARTTLS keep the configured host name."""

    def __init__(self, host: str, port: int, pinned: str, check: Callable[[str], Any], timeout: float) -> None:
        self.pinned, self.check = pinned, check
        super().__init__(host, port, local_hostname="pyflare.localdomain", timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((self.pinned, port), timeout)
        try:
            self.check(sock.getpeername()[0])
        except BaseException:
            sock.close()
            raise
        return sock


def mime_message(config: Mapping[str, Any], message: AlertMessage) -> EmailMessage:
    content = email_content(message)
    mail = EmailMessage()
    mail["Subject"] = content.subject
    mail["From"] = config["from"]
    mail["To"] = ", ".join(config["to"])
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain="pyflare.localdomain")
    mail.set_content(content.text)
    mail.add_alternative(content.html, subtype="html")
    return mail


def _smtp_error(exc: smtplib.SMTPException) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError("SMTP authentication failed", exc.smtp_code, retryable=False)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return DeliveryError("the SMTP server refused every recipient", None, retryable=False)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError("the SMTP server does not support a required extension", None, retryable=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = int(exc.smtp_code)
        return DeliveryError(f"SMTP {code}", code, retryable=code < 500)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError("the SMTP server closed the connection", None)
    return DeliveryError("SMTP delivery failed", None)


def _check_peer(port: int) -> Callable[[str], Any]:
    client = client_from_settings()
    return lambda address: client.check_url(f"http://{_bracket(address)}:{port}/")


def send_email(config: Mapping[str, Any], secrets: Mapping[str, Any], message: AlertMessage) -> None:
    host, port = str(config["host"]), int(config["port"])
    try:
        addresses = client_from_settings().check_url(f"http://{_bracket(host)}:{port}/")
    except DestinationRefused as exc:
        raise DeliveryError(str(exc).replace("the URL's host", "the SMTP host"), retryable=False) from None
    except OutboundError as exc:
        raise DeliveryError(str(exc)) from None
    mail = mime_message(config, message)
    last = DeliveryError("connection failed")
    for address in addresses:
        try:
            _send_via(host, port, address, config, secrets, mail)
            return
        except DestinationRefused as exc:
            raise DeliveryError(str(exc).replace("the URL's host", "the SMTP host"), retryable=False) from None
        except smtplib.SMTPConnectError as exc:
            last = DeliveryError(f"SMTP {exc.smtp_code} on connect", exc.smtp_code)
        except smtplib.SMTPException as exc:
            raise _smtp_error(exc) from None
        except ssl.SSLError:
            raise DeliveryError("TLS handshake failed", retryable=False) from None
        except TimeoutError:
            last = DeliveryError("timed out")
        except OSError:
            last = DeliveryError("connection failed")
    raise last


def _send_via(host: str, port: int, address: str, config: Mapping[str, Any], secrets: Mapping[str, Any],
              mail: EmailMessage) -> None:  # fmt: skip
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    with PinnedSMTP(host, port, address, _check_peer(port), timeout) as smtp:
        smtp.ehlo()
        if config.get("starttls", True):
            if not smtp.has_extn("starttls"):
                raise DeliveryError("the SMTP server does not offer STARTTLS (set starttls to false to send "
                                    "without it)", retryable=False)  # fmt: skip
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if secrets.get("username"):
            smtp.login(secrets["username"], secrets["password"])
        smtp.send_message(mail, from_addr=config["from"], to_addrs=list(config["to"]))
