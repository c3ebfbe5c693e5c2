"""Security settings: trusted proxies, login throttling, the shared cache, and outbound requests.

The login throttle keeps its counters in Django's cache: local memory in embedded mode (one process),
Redis when PYFLARE_REDIS_URL is set, so every web process of scale mode shares the same counts.
Values that cannot be parsed raise ImproperlyConfigured naming the variable (see webapp.security).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from webapp.security.networks import parse_networks
from webapp.security.rates import parse_rate
from webapp.settings.celery import REDIS_URL
from webapp.settings.env import env_bool, env_list, env_str


def _networks(name: str) -> list[str]:
    raw = env_list(name, [])
    try:
        return [str(net) for net in parse_networks(raw)]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None


def _rate(name: str, default: str) -> str:
    raw = env_str(name, default)
    try:
        parse_rate(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: {exc}") from None
    return raw


# Addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed; none by default (REMOTE_ADDR).
TRUSTED_PROXIES: list[str] = _networks("PYFLARE_TRUSTED_PROXIES")

# Failed logins allowed per client address, and per account from all addresses together.
LOGIN_RATE: str = _rate("PYFLARE_LOGIN_RATE", "20/min")
LOGIN_ACCOUNT_RATE: str = _rate("PYFLARE_LOGIN_ACCOUNT_RATE", "10/15min")

CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                 "KEY_PREFIX": "pyflare"}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pyflare"}}
)  # fmt: skip

# Outbound requests (webhooks): private, loopback, link-local and unspecified addresses are refused
# unless PYFLARE_OUTBOUND_ALLOW_PRIVATE is true or the address is inside PYFLARE_OUTBOUND_ALLOW_CIDRS.
OUTBOUND_ALLOW_PRIVATE: bool = env_bool("PYFLARE_OUTBOUND_ALLOW_PRIVATE", False)
OUTBOUND_ALLOW_CIDRS: list[str] = _networks("PYFLARE_OUTBOUND_ALLOW_CIDRS")
