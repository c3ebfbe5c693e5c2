"""HTTPS through a pinned connection: the socket goes to the checked address while TLS verifies the
certificate against the URL's name — a local TLS server with a certificate made here by openssl."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from webapp.outbound import OutboundClient, OutboundError, OutboundPolicy
from webapp.security.networks import parse_networks

NAME = "hooks.example.com"
LOOPBACK_ALLOWED = OutboundPolicy(allow_networks=tuple(parse_networks(["127.0.0.0/8"])))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={NAME}",
         "-addext", f"subjectAltName=DNS:{NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, list[str]]]:
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hosts.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hosts
    server.shutdown()
    server.server_close()


def _trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def test_tls_verifies_the_urls_name_on_the_pinned_address(
    tls_server: tuple[int, list[str]], certificate: tuple[Path, Path]
) -> None:
    port, hosts = tls_server
    client = OutboundClient(LOOPBACK_ALLOWED, lambda host, _port: ["127.0.0.1"], tls_context=_trusting(certificate[0]))
    assert client.post_json(f"https://{NAME}:{port}/hook", {"a": 1}) == 200
    assert hosts == [f"{NAME}:{port}"]


def test_a_certificate_for_another_name_fails_the_handshake(
    tls_server: tuple[int, list[str]], certificate: tuple[Path, Path]
) -> None:
    port, hosts = tls_server
    client = OutboundClient(LOOPBACK_ALLOWED, lambda host, _port: ["127.0.0.1"], tls_context=_trusting(certificate[0]))
    with pytest.raises(OutboundError) as failed:
        client.post_json(f"https://other.example.com:{port}/hook", {"a": 1})
    assert str(failed.value) == "TLS handshake failed" and hosts == []
