"""Django admin: users, projects, memberships and API keys; a key created there shows its plaintext
once, in a message, and only its hash is stored."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from tests.webapp.conftest import World
from webapp.accounts.models import User
from webapp.apikeys.intake import IntakeKeys
from webapp.apikeys.models import ApiKey


@pytest.fixture
def admin_site(world: World) -> Client:
    superuser = User.objects.create_superuser("root@example.com", "a root passphrase 99")
    client = Client()
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/projects/project/",
        "/admin/projects/project/add/",
        "/admin/projects/membership/",
        "/admin/apikeys/apikey/",
        "/admin/apikeys/apikey/add/",
    ],
)
def test_admin_pages_render(admin_site: Client, url: str) -> None:
    assert admin_site.get(url).status_code == 200


def test_creating_a_key_in_the_admin_shows_the_plaintext_once(admin_site: Client, world: World) -> None:
    response = admin_site.post(
        "/admin/apikeys/apikey/add/",
        {
            "project": world.own.project.pk,
            "name": "from admin",
            "role": "developer",
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(r"(pf_[A-Za-z0-9_-]{40,})", page)
    assert match, page[:2000]
    plaintext = match.group(1)
    key = ApiKey.objects.get(name="from admin")
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert key.prefix == plaintext[:10]
    change_page = admin_site.get(f"/admin/apikeys/apikey/{key.pk}/change/").content.decode()
    assert plaintext not in change_page and key.key_hash not in change_page
    assert plaintext not in admin_site.get("/admin/apikeys/apikey/").content.decode()


def test_the_admin_revokes_keys(admin_site: Client, world: World) -> None:
    key = world.own.spare_key
    assert key is not None
    admin_site.post("/admin/apikeys/apikey/", {"action": "revoke_selected", "_selected_action": [key.pk]}, follow=True)
    key.refresh_from_db()
    assert key.status() == "revoked"


def test_users_are_created_by_email(admin_site: Client) -> None:
    response = admin_site.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.com",
            "password1": "a fine passphrase 12",
            "password2": "a fine passphrase 12",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new.person@example.com").check_password("a fine passphrase 12")


def test_the_admin_makes_ingest_keys_that_write_into_their_project(admin_site: Client, world: World) -> None:
    response = admin_site.post(
        "/admin/apikeys/apikey/add/",
        {"project": world.other.project.pk, "name": "exporter from admin", "role": "ingest",
         "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    match = re.search(r"(pf_[A-Za-z0-9_-]{40,})", response.content.decode())
    assert match
    assert ApiKey.objects.get(name="exporter from admin").role == "ingest"
    assert IntakeKeys().project_for(match.group(1), "traces") == "other"
