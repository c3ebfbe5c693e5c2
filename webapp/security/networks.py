"""IP networks from settings, and the client address of a request behind trusted proxies.

X-Forwarded-For is only believed when the direct peer (REMOTE_ADDR) is a configured trusted proxy;
then the right-most address that is not itself a trusted proxy is the client. Anyone else can write
any X-Forwarded-For, so without trusted proxies the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str]) -> list[Network]:
    """`10.0.0.0/8`, `192.168.1.7`, `fd00::/8` → networks; ValueError names the first bad entry."""
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or CIDR network (e.g. 10.0.0.0/8)") from None
    return networks


def parse_address(value: str) -> Address | None:
    """An address as written by proxies: bare, `[v6]`, `v4:port`, `[v6]:port`; None when it is none."""
    text = value.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def within(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(meta: Mapping[str, Any], trusted: Iterable[Network]) -> str:
    """The client of a request (Django's request.META), as a normalised address string."""
    trusted = list(trusted)
    peer = parse_address(str(meta.get("REMOTE_ADDR") or ""))
    if peer is None:
        return str(meta.get("REMOTE_ADDR") or "unknown")
    if not trusted or not within(peer, trusted):
        return str(peer)
    hops = [hop for hop in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return str(peer)  # a garbled chain: trust nothing beyond the last proxy
        if not within(address, trusted):
            return str(address)
    return str(peer)  # every hop is a proxy of ours: the request started inside
