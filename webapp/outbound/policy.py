"""Which destinations outbound requests may reach.

Only globally routable unicast addresses by default. Refused: loopback, private (10/8, 172.16/12,
192.168/16, 100.64/10, fc00::/7), link-local (169.254/16, fe80::/10), unspecified (0.0.0.0, ::),
multicast, reserved and documentation ranges — also when written as IPv4-mapped/compatible IPv6,
6to4 or NAT64 — and cloud metadata names. `allow_private` lifts the address checks (a PyFlare on a
private network posting to an internal receiver); `allow_networks` lifts them for listed CIDRs only.
Cloud metadata endpoints stay refused unless their address is listed in `allow_networks`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from webapp.security.networks import Address, Network, within

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata", "instance-data",
                            "instance-data.ec2.internal"})  # fmt: skip
METADATA_ADDRESSES = (ipaddress.ip_network("169.254.169.254/32"), ipaddress.ip_network("169.254.170.2/32"),
                      ipaddress.ip_network("fd00:ec2::254/128"))  # fmt: skip
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, compatible, 6to4, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = address.packed
    if address in _NAT64 or (packed[:12] == bytes(12) and int(address) > 1):  # NAT64, ::a.b.c.d
        return ipaddress.IPv4Address(packed[12:])
    return None


def address_category(address: Address) -> str | None:
    """Why an address is not public ("loopback", "private", …), or None for a global unicast one."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return address_category(inner)
    private = address.is_private or (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", private),
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


METADATA_ENDPOINT, METADATA_ADDRESS, LOOPBACK_NAME = "a cloud metadata endpoint", "a cloud metadata address", \
    "a loopback name"
UNPARSEABLE = "an unparseable address"


def refusal_hint(reason: str) -> str:
    """What to set when the refused destination is a receiver on this machine or a private network (a
    self-hosted setup); nothing for cloud metadata, which no setting opens to a name or by category."""
    if reason in (METADATA_ENDPOINT, METADATA_ADDRESS, UNPARSEABLE):
        return ""
    if reason == LOOPBACK_NAME:
        return " (use an address allowed by PYFLARE_OUTBOUND_ALLOW_CIDRS, or set PYFLARE_OUTBOUND_ALLOW_PRIVATE=true)"
    return " (to reach it, add its network to PYFLARE_OUTBOUND_ALLOW_CIDRS or set PYFLARE_OUTBOUND_ALLOW_PRIVATE=true)"


@dataclass(frozen=True)
class OutboundPolicy:
    allow_private: bool = False
    allow_networks: Sequence[Network] = field(default_factory=tuple)

    def host_refusal(self, host: str) -> str | None:
        name = host.rstrip(".").lower()
        if name in METADATA_HOSTS:
            return METADATA_ENDPOINT
        if name == "localhost" or name.endswith(".localhost"):
            return None if self.allow_private else LOOPBACK_NAME
        return None

    def address_refusal(self, address: Address) -> str | None:
        """None if the address may be connected to; else the reason, naming the kind, not the address."""
        inner = embedded_ipv4(address) or address
        if within(address, self.allow_networks) or within(inner, self.allow_networks):
            return None
        if within(inner, METADATA_ADDRESSES) or within(address, METADATA_ADDRESSES):
            return METADATA_ADDRESS
        if self.allow_private:
            return None
        category = address_category(address)
        return None if category is None else f"a {category} address"
