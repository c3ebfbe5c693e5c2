"""Failed-login throttling shared by the API login and the Django admin login.

Two fixed-window counters of *failed* attempts live in Django's cache (local memory in embedded mode,
Redis across web processes in scale mode):
- per client address (PYFLARE_LOGIN_RATE, default 20/min): one address guessing many accounts;
- per account (PYFLARE_LOGIN_ACCOUNT_RATE, default 10/15min), from all addresses together: many
  addresses guessing one account (rotating proxies, botnets).
While either counter is full, logins from that address / for that account are answered 429 with
Retry-After, even with the right password — otherwise the lockout would tell the attacker when a
guess was right. Failures of other addresses only ever block an account through its per-account
limit; a successful login clears its account's counter.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from webapp.security.networks import client_address, parse_networks
from webapp.security.rates import Rate, parse_rate


@dataclass(frozen=True)
class Lockout:
    retry_after: int  # seconds
    message: str


def _key(kind: str, value: str) -> str:
    return f"login-fail:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def request_address(request: HttpRequest) -> str:
    return client_address(request.META, parse_networks(settings.TRUSTED_PROXIES))


class _Window:
    """A failure counter that resets `rate.seconds` after its first failure."""

    def __init__(self, kind: str, value: str, rate: Rate) -> None:
        self.key = _key(kind, value)
        self.rate = rate

    def retry_after(self, now: float) -> int | None:
        values = cache.get_many([self.key, self.key + ":reset"])
        count, reset = values.get(self.key, 0), values.get(self.key + ":reset")
        if count < self.rate.count or reset is None:
            return None
        return max(1, math.ceil(reset - now))

    def add_failure(self, now: float) -> None:
        if cache.add(self.key + ":reset", now + self.rate.seconds, self.rate.seconds):
            cache.set(self.key, 0, self.rate.seconds)
        else:
            cache.add(self.key, 0, self.rate.seconds)
        try:
            cache.incr(self.key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(self.key, 1, self.rate.seconds)

    def clear(self) -> None:
        cache.delete_many([self.key, self.key + ":reset"])


class LoginThrottle:
    def __init__(self, address: str, account: str) -> None:
        self.by_address = _Window("addr", address, parse_rate(settings.LOGIN_RATE))
        self.by_account = _Window("acct", account.strip().lower(), parse_rate(settings.LOGIN_ACCOUNT_RATE))

    @classmethod
    def for_request(cls, request: HttpRequest, account: str) -> LoginThrottle:
        return cls(request_address(request), account)

    def lockout(self) -> Lockout | None:
        now = time.time()
        wait = self.by_address.retry_after(now)
        if wait is not None:
            return Lockout(wait, f"too many failed logins from your address; try again in {wait} s")
        wait = self.by_account.retry_after(now)
        if wait is not None:
            return Lockout(wait, f"too many failed logins for this account; try again in {wait} s")
        return None

    def failed(self) -> None:
        now = time.time()
        self.by_address.add_failure(now)
        self.by_account.add_failure(now)

    def succeeded(self) -> None:
        self.by_account.clear()
