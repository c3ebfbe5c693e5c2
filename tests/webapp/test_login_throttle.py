"""Failed logins are throttled per client address and per account, on the API and the admin login.

X-Forwarded-For only names the client behind a configured trusted proxy; rotating it from anywhere
else changes nothing. A locked-out login answers 429 with Retry-After, even with the right password.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import KNOWN_PASSWORD, World
from webapp.accounts.models import User
from webapp.security.networks import client_address, parse_networks

LOGIN = "/api/v1/auth/login"


def api_login(email: str, password: str, forwarded: str | None = None, remote: str = "127.0.0.1") -> object:
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json", **extra)


def admin_login(email: str, password: str, forwarded: str | None = None) -> object:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client().post("/admin/login/?next=/admin/", {"username": email, "password": password}, **extra)


def test_rotating_forwarded_for_does_not_escape_the_address_limit(world: World) -> None:
    statuses = [api_login(f"guess{i}@example.com", "guess", forwarded=f"198.51.100.{i}").status_code for i in range(25)]
    assert statuses == [401] * 20 + [429] * 5
    locked = api_login("ada@example.com", KNOWN_PASSWORD, forwarded="198.51.100.200")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert locked.json()["error"] == "throttled"
    assert "from your address" in locked.json()["message"]
    # another direct client is not affected by that address's failures
    assert api_login("ada@example.com", KNOWN_PASSWORD, remote="192.0.2.9").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_is_throttled(world: World, settings: object) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/8"]  # type: ignore[attr-defined]
    for i in range(20):
        assert api_login(f"nobody{i}@example.com", "guess", forwarded="203.0.113.5, 10.1.1.1").status_code == 401
    assert api_login("ada@example.com", KNOWN_PASSWORD, forwarded="203.0.113.5, 10.1.1.1").status_code == 429
    # a forged left-most entry cannot escape: the right-most untrusted hop is the client
    assert api_login("ada@example.com", KNOWN_PASSWORD, forwarded="1.2.3.4, 203.0.113.5").status_code == 429
    assert api_login("ada@example.com", KNOWN_PASSWORD, forwarded="203.0.113.6").status_code == 200


def test_one_account_is_locked_against_guesses_from_many_addresses(world: World, settings: object) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # type: ignore[attr-defined]
    for i in range(10):
        assert api_login("ADA@example.com", "guess", forwarded=f"198.51.100.{i}").status_code == 401
    locked = api_login("ada@example.com", KNOWN_PASSWORD, forwarded="198.51.100.77")
    assert locked.status_code == 429
    assert "for this account" in locked.json()["message"] and int(locked["Retry-After"]) > 0
    # other accounts from those addresses still sign in
    User.objects.create_user("grace@example.com", KNOWN_PASSWORD)
    assert api_login("grace@example.com", KNOWN_PASSWORD, forwarded="198.51.100.1").status_code == 200


def test_below_the_account_limit_other_addresses_failures_do_not_block(world: World, settings: object) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # type: ignore[attr-defined]
    for _ in range(9):
        assert api_login("ada@example.com", "guess", forwarded="198.51.100.1").status_code == 401
    assert api_login("ada@example.com", KNOWN_PASSWORD, forwarded="198.51.100.2").status_code == 200
    # the success cleared the account's count: nine more failures still leave the owner in
    for _ in range(9):
        assert api_login("ada@example.com", "guess", forwarded="198.51.100.3").status_code == 401
    assert api_login("ada@example.com", KNOWN_PASSWORD, forwarded="198.51.100.4").status_code == 200


def test_the_admin_login_is_throttled_too(world: World) -> None:
    User.objects.create_superuser("root@example.com", KNOWN_PASSWORD)
    statuses = [admin_login(f"x{i}@example.com", "guess", forwarded=f"198.51.100.{i}").status_code for i in range(21)]
    assert statuses == [200] * 20 + [429]  # the admin re-renders its form after a refused login
    locked = admin_login("root@example.com", KNOWN_PASSWORD)
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert b"too many failed logins" in locked.content


def test_admin_and_api_failures_count_against_the_same_account(world: World, settings: object) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # type: ignore[attr-defined]
    User.objects.create_superuser("root@example.com", KNOWN_PASSWORD)
    for i in range(5):
        assert admin_login("root@example.com", "guess", forwarded=f"198.51.100.{i}").status_code == 200
        assert api_login("root@example.com", "guess", forwarded=f"198.51.100.{i + 50}").status_code == 401
    assert api_login("root@example.com", KNOWN_PASSWORD, forwarded="198.51.100.99").status_code == 429
    assert admin_login("root@example.com", KNOWN_PASSWORD, forwarded="198.51.100.98").status_code == 429


def test_a_good_admin_login_still_works(world: World) -> None:
    User.objects.create_superuser("root@example.com", KNOWN_PASSWORD)
    response = admin_login("root@example.com", KNOWN_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("192.0.2.1", "203.0.113.9", [], "192.0.2.1"),  # no trusted proxy: the header is ignored
        ("192.0.2.1", "203.0.113.9", ["10.0.0.0/8"], "192.0.2.1"),  # peer is not a trusted proxy
        ("10.0.0.2", "203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.7", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "not-an-ip, 10.0.0.7", ["10.0.0.0/8"], "10.0.0.2"),  # unparseable hop: stop at peer
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "[2001:db8::5]:443", ["10.0.0.0/8"], "2001:db8::5"),
        ("::ffff:10.0.0.2", "203.0.113.9:5555", ["10.0.0.0/8"], "203.0.113.9"),
    ],
)
def test_client_address(remote: str, forwarded: str, trusted: list[str], client: str) -> None:
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta, parse_networks(trusted)) == client


def test_bad_trusted_proxy_settings_are_refused() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an IP address"):
        parse_networks(["10.0.0.0/33"])
