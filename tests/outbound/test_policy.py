"""The outbound policy refuses every non-public address form, and lets listed networks through."""

from __future__ import annotations

import ipaddress

import pytest

from webapp.outbound.policy import OutboundPolicy
from webapp.security.networks import parse_networks

REFUSED = {
    "127.0.0.1": "loopback", "127.8.9.10": "loopback", "::1": "loopback",
    "10.1.2.3": "private", "172.16.0.9": "private", "172.31.255.1": "private", "192.168.1.1": "private",
    "100.64.0.1": "private", "fc00::1": "private", "fd12:3456::1": "private",
    "169.254.1.1": "link-local", "fe80::1": "link-local",
    "0.0.0.0": "unspecified", "::": "unspecified",
    "224.0.0.1": "multicast", "ff02::1": "multicast", "255.255.255.255": "reserved",
    "::ffff:127.0.0.1": "loopback", "::ffff:10.0.0.1": "private", "::ffff:0.0.0.0": "unspecified",
    "::127.0.0.1": "loopback",  # IPv4-compatible
    "2002:7f00:1::1": "loopback",  # 6to4 around 127.0.0.1
    "64:ff9b::a00:1": "private",  # NAT64 around 10.0.0.1
    "192.0.2.10": "private",  # documentation range: special-purpose, not routable
}  # fmt: skip
METADATA = ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(("address", "kind"), sorted(REFUSED.items()))
def test_non_public_addresses_are_refused_by_default(address: str, kind: str) -> None:
    assert OutboundPolicy().address_refusal(ipaddress.ip_address(address)) == f"a {kind} address"


@pytest.mark.parametrize("address", METADATA)
def test_metadata_addresses_are_refused_even_when_private_ones_are_allowed(address: str) -> None:
    assert OutboundPolicy(allow_private=True).address_refusal(ipaddress.ip_address(address)) == (
        "a cloud metadata address"
    )
    listed = OutboundPolicy(allow_networks=parse_networks(["169.254.169.254/32", "fd00:ec2::254/128"]))
    assert listed.address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert OutboundPolicy().address_refusal(ipaddress.ip_address(address)) is None


def test_allow_settings_lift_the_refusal() -> None:
    loopback = ipaddress.ip_address("127.0.0.1")
    assert OutboundPolicy(allow_private=True).address_refusal(loopback) is None
    assert OutboundPolicy(allow_networks=parse_networks(["127.0.0.0/8"])).address_refusal(loopback) is None
    assert OutboundPolicy(allow_networks=parse_networks(["10.0.0.0/8"])).address_refusal(loopback) == (
        "a loopback address"
    )


@pytest.mark.parametrize("host", ["metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata.goog"])
def test_metadata_names_are_refused(host: str) -> None:
    assert OutboundPolicy(allow_private=True).host_refusal(host) == "a cloud metadata endpoint"


def test_localhost_names_are_refused_unless_private_is_allowed() -> None:
    assert OutboundPolicy().host_refusal("api.localhost") == "a loopback name"
    assert OutboundPolicy(allow_private=True).host_refusal("localhost") is None
