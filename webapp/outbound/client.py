"""POST JSON to a checked destination over a connection pinned to the checked address.

Steps: parse the URL (http/https, a host, no credentials) → refuse metadata/loopback names →
resolve once (the injectable `Resolver`) → refuse if any address is not allowed → connect to those
addresses only (never resolving again, so DNS rebinding cannot swap them), checking the peer of the
connected socket once more → send; 2xx is success, anything else (redirects included) an error.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from webapp.outbound.errors import DestinationRefused, OutboundError
from webapp.outbound.policy import UNPARSEABLE, OutboundPolicy, refusal_hint
from webapp.security.networks import Address, parse_address, parse_networks

Resolver = Callable[[str, int], list[str]]  # (host, port) -> addresses, in the order to try them
MAX_RESPONSE_BYTES = 64 * 1024  # a receiver's answer is read (to free the connection) but not kept


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundError("host name could not be resolved") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse_target(url: str) -> Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise DestinationRefused("the URL is not valid") from None
    if parts.scheme not in ("http", "https"):
        raise DestinationRefused("only http:// and https:// URLs are allowed")
    if not parts.hostname:
        raise DestinationRefused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused("credentials in the URL are not supported")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def _connection_class(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
    class Pinned(base):  # type: ignore[valid-type,misc]
        """Connects to a given address while Host (and TLS SNI/verification) keep the URL's name."""

        pinned: str
        check: Callable[[str], None]

        def connect(self) -> None:
            sock = socket.create_connection((self.pinned, self.port), self.timeout)
            try:
                self.check(sock.getpeername()[0])
                if isinstance(self, http.client.HTTPSConnection):
                    sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
            except BaseException:
                sock.close()
                raise
            self.sock = sock

    return Pinned


_HTTP = _connection_class(http.client.HTTPConnection)
_HTTPS = _connection_class(http.client.HTTPSConnection)


@dataclass
class OutboundClient:
    policy: OutboundPolicy = field(default_factory=OutboundPolicy)
    resolver: Resolver = system_resolver
    timeout: float = 5.0
    tls_context: ssl.SSLContext | None = None

    def check_url(self, url: str) -> list[str]:
        """The allowed addresses of a URL's host; DestinationRefused/OutboundError say why not."""
        target = parse_target(url)
        reason = self.policy.host_refusal(target.host)
        if reason:
            raise DestinationRefused(f"destination not allowed: the URL's host is {reason}{refusal_hint(reason)}")
        literal = parse_address(target.host) if ":" in target.host or target.host[:1].isdigit() else None
        addresses = [str(literal)] if literal is not None else self.resolver(target.host, target.port)
        if not addresses:
            raise OutboundError("host name could not be resolved")
        for text in addresses:
            self._check_address(text)
        return addresses

    def _check_address(self, text: str) -> None:
        address: Address | None = parse_address(text)
        reason = UNPARSEABLE if address is None else self.policy.address_refusal(address)
        if reason:
            hint = refusal_hint(reason)
            raise DestinationRefused(f"destination not allowed: the URL's host resolves to {reason}{hint}")

    def post_json(self, url: str, payload: Any, headers: Mapping[str, str] | None = None) -> int:
        """POST `payload` as JSON; the status on 2xx, OutboundError (with .status if any) otherwise."""
        target = parse_target(url)
        addresses = self.check_url(url)
        body = json.dumps(payload).encode()
        send_headers = {"Content-Type": "application/json", **(headers or {})}
        last: OutboundError = OutboundError("connection failed")
        for address in addresses:
            try:
                return self._send(target, address, body, send_headers)
            except _Unreachable as exc:
                last = exc.error  # try the host's next address
        raise last

    def _send(self, target: Target, address: str, body: bytes, headers: Mapping[str, str]) -> int:
        cls = _HTTPS if target.scheme == "https" else _HTTP
        kwargs: dict[str, Any] = {"timeout": self.timeout}
        if target.scheme == "https":
            kwargs["context"] = self.tls_context or ssl.create_default_context()
        conn = cls(target.host, target.port, **kwargs)
        conn.pinned = address  # type: ignore[attr-defined]
        conn.check = self._check_address  # type: ignore[attr-defined]
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise _Unreachable(OutboundError("timed out")) from None
            except ssl.SSLError:
                raise OutboundError("TLS handshake failed") from None
            except OSError:
                raise _Unreachable(OutboundError("connection failed")) from None
            try:
                conn.request("POST", target.path, body=body, headers=dict(headers))
                response = conn.getresponse()
                response.read(MAX_RESPONSE_BYTES)
            except TimeoutError:
                raise OutboundError("timed out") from None
            except (http.client.HTTPException, OSError):
                raise OutboundError("invalid or interrupted HTTP response") from None
        finally:
            conn.close()
        status = int(response.status)
        if 300 <= status < 400:
            raise OutboundError(f"HTTP {status} (redirects are not followed)", status)
        if not 200 <= status < 300:
            raise OutboundError(f"HTTP {status}", status)
        return status


class _Unreachable(Exception):
    def __init__(self, error: OutboundError) -> None:
        self.error = error


def policy_from_settings() -> OutboundPolicy:
    from django.conf import settings

    return OutboundPolicy(bool(settings.OUTBOUND_ALLOW_PRIVATE), tuple(parse_networks(settings.OUTBOUND_ALLOW_CIDRS)))


def client_from_settings(resolver: Resolver = system_resolver) -> OutboundClient:
    from django.conf import settings

    return OutboundClient(policy_from_settings(), resolver, timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS))
