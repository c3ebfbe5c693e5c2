"""Outbound POSTs against real local HTTP servers: names resolving to loopback are refused before any
connection, the connection goes to the checked address only, redirects are not followed, and the
errors say what failed without addresses, ports or errno texts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.outbound.receivers import Receiver, Silent
from webapp.outbound import DestinationRefused, OutboundClient, OutboundError, OutboundPolicy
from webapp.security.networks import parse_networks

LOOPBACK_ALLOWED = OutboundPolicy(allow_networks=tuple(parse_networks(["127.0.0.0/8"])))


class Resolver:
    """A resolver that maps names to fixed answers (the next answer on each call) and counts calls."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def test_a_public_looking_name_resolving_to_loopback_is_refused(receiver: Receiver) -> None:
    resolver = Resolver({"hooks.example.com": [["127.0.0.1"]]})
    client = OutboundClient(OutboundPolicy(), resolver)
    with pytest.raises(DestinationRefused) as refused:
        client.post_json(f"http://hooks.example.com:{receiver.port}/hook", {"a": 1})
    assert str(refused.value) == ("destination not allowed: the URL's host resolves to a loopback address"
                                  " (to reach it, add its network to PYFLARE_OUTBOUND_ALLOW_CIDRS"
                                  " or set PYFLARE_OUTBOUND_ALLOW_PRIVATE=true)")
    assert receiver.requests == []  # nothing was sent


def test_one_private_answer_among_public_ones_refuses_the_name(receiver: Receiver) -> None:
    resolver = Resolver({"hooks.example.com": [["93.184.216.34", "10.0.0.5"]]})
    with pytest.raises(DestinationRefused, match="private address"):
        OutboundClient(OutboundPolicy(), resolver).check_url("https://hooks.example.com/x")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}/", "resolves to a loopback address"),
        ("http://[::1]:{port}/", "resolves to a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/", "resolves to a loopback address"),
        ("http://0.0.0.0:{port}/", "resolves to a unspecified address"),
        ("http://localhost:{port}/", "is a loopback name"),
        ("http://2130706433:{port}/", "resolves to a loopback address"),  # 127.0.0.1 as one number
        ("http://169.254.169.254/latest/meta-data/", "resolves to a cloud metadata address"),
        ("http://metadata.google.internal/computeMetadata/v1/", "is a cloud metadata endpoint"),
        ("http://[fd00::1]/", "resolves to a private address"),
        ("http://[fe80::1]/", "resolves to a link-local address"),
    ],
)
def test_literal_and_special_destinations_are_refused(receiver: Receiver, url: str, reason: str) -> None:
    with pytest.raises(DestinationRefused, match=reason):
        OutboundClient().post_json(url.format(port=receiver.port), {"a": 1})
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("http://169.254.169.254/latest/meta-data/", ""),  # no setting opens cloud metadata by category
        ("http://metadata.google.internal/computeMetadata/v1/", ""),
        ("http://localhost:1/", " (use an address allowed by PYFLARE_OUTBOUND_ALLOW_CIDRS,"
                                " or set PYFLARE_OUTBOUND_ALLOW_PRIVATE=true)"),
        ("http://[fd00::1]/", " (to reach it, add its network to PYFLARE_OUTBOUND_ALLOW_CIDRS"
                              " or set PYFLARE_OUTBOUND_ALLOW_PRIVATE=true)"),
    ],
)
def test_a_refusal_names_the_setting_that_opens_it_when_one_does(url: str, hint: str) -> None:
    with pytest.raises(DestinationRefused) as refused:
        OutboundClient().check_url(url)
    assert str(refused.value).endswith(hint or ("metadata address", "metadata endpoint")), str(refused.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "only http:// and https:// URLs are allowed"),
        ("http:///nohost", "the URL has no host"),
        ("http://user:secret@hooks.example.com/", "credentials in the URL are not supported"),
        ("http://hooks.example.com:99999/", "the URL is not valid"),
    ],
)
def test_malformed_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(DestinationRefused) as refused:
        OutboundClient(resolver=Resolver({"hooks.example.com": [["93.184.216.34"]]})).check_url(url)
    assert str(refused.value) == message


def test_the_connection_is_pinned_to_the_one_resolved_address(receiver: Receiver) -> None:
    # the second answer would be a rebinding; the client resolves once and connects where it checked
    resolver = Resolver({"hooks.example.com": [["127.0.0.1"], ["10.9.9.9"]]})
    client = OutboundClient(LOOPBACK_ALLOWED, resolver)
    assert client.post_json(f"http://hooks.example.com:{receiver.port}/hook?x=1", {"a": 1}) == 204
    assert resolver.calls == ["hooks.example.com"]
    [request] = receiver.requests
    assert request["host"] == f"hooks.example.com:{receiver.port}" and request["path"] == "/hook?x=1"
    assert request["body"] == b'{"a": 1}'


def test_an_address_checked_before_is_checked_again_at_delivery(receiver: Receiver) -> None:
    resolver = Resolver({"hooks.example.com": [["93.184.216.34"], ["127.0.0.1"]]})
    client = OutboundClient(OutboundPolicy(), resolver)
    client.check_url(f"http://hooks.example.com:{receiver.port}/")  # when the channel was saved
    with pytest.raises(DestinationRefused, match="loopback"):
        client.post_json(f"http://hooks.example.com:{receiver.port}/", {"a": 1})
    assert receiver.requests == []


def test_redirects_are_not_followed() -> None:
    target = Receiver()
    redirecting = Receiver(status=302, location=f"{target.url}/stolen")
    try:
        with pytest.raises(OutboundError) as failed:
            OutboundClient(LOOPBACK_ALLOWED).post_json(f"{redirecting.url}/hook", {"a": 1})
        assert str(failed.value) == "HTTP 302 (redirects are not followed)" and failed.value.status == 302
        assert len(redirecting.requests) == 1 and target.requests == []
    finally:
        target.close()
        redirecting.close()


def test_errors_carry_no_connection_details() -> None:
    server = Receiver(status=500)
    closed = Receiver()
    closed.close()  # its port now refuses connections
    silent = Silent()
    client = OutboundClient(LOOPBACK_ALLOWED, timeout=0.5)
    try:
        with pytest.raises(OutboundError) as http_500:
            client.post_json(f"{server.url}/", {})
        with pytest.raises(OutboundError) as refused:
            client.post_json(f"http://127.0.0.1:{closed.port}/", {})
        with pytest.raises(OutboundError) as hung:
            client.post_json(f"http://127.0.0.1:{silent.port}/", {})
        with pytest.raises(OutboundError) as unresolved:
            OutboundClient().post_json("http://no-such-host.invalid/", {})
    finally:
        server.close()
        silent.close()
    assert (str(http_500.value), http_500.value.status) == ("HTTP 500", 500)
    assert str(refused.value) == "connection failed"
    assert str(hung.value) == "timed out"
    assert str(unresolved.value) == "host name could not be resolved"
