"""Headless first start: PYFLARE_INIT_* honoured, generated credentials returned once, idempotent."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from rest_framework.test import APIClient

from webapp.accounts.models import User
from webapp.apikeys.intake import IntakeKeys
from webapp.apikeys.models import ApiKey
from webapp.projects.bootstrap import BootstrapError, bootstrap_from_env
from webapp.projects.models import Membership, Project

pytestmark = pytest.mark.django_db

INIT_KEY = "pf_operator-chosen-key-with-enough-length"


def key_works(plaintext: str, project: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=plaintext)
    response = client.get("/api/v1/auth/me")
    return response.status_code == 200 and response.json()["projects"][0]["slug"] == project


def test_first_start_with_nothing_given_generates_an_admin_and_a_key() -> None:
    result = bootstrap_from_env({})
    assert result.project == "default" and result.project_created
    assert result.admin_created and result.admin_email == "admin@pyflare.local"
    assert result.admin_password and result.api_key
    user = authenticate(username="admin@pyflare.local", password=result.admin_password)
    assert user is not None and user.is_staff and user.is_superuser
    assert Membership.objects.get(user=user).role == "admin"
    assert key_works(result.api_key, "default")
    assert sorted(ApiKey.objects.values_list("role", flat=True)) == ["admin", "ingest"]
    assert result.ingest_key and result.ingest_key != result.api_key
    assert IntakeKeys().project_for(result.ingest_key, "traces") == "default"
    reader = APIClient()
    reader.credentials(HTTP_X_API_KEY=result.ingest_key)
    assert reader.get("/api/v1/traces").status_code == 403  # the ingest key sends telemetry and reads nothing
    announced = result.announcement()
    assert result.admin_password in announced and result.api_key in announced and result.ingest_key in announced


def test_an_init_ingest_key_is_an_ingest_key_of_the_init_project() -> None:
    plaintext = "pf_headless_ingest_key_0123456789"
    result = bootstrap_from_env({"PYFLARE_INIT_PROJECT": "shop", "PYFLARE_INIT_INGEST_KEY": plaintext})
    assert result.ingest_key is None and not result.has_secrets_to_show  # chosen by the operator: not printed
    assert ApiKey.objects.get().role == "ingest"
    assert IntakeKeys().project_for(plaintext, "logs") == "shop"
    assert not User.objects.exists()
    again = bootstrap_from_env({"PYFLARE_INIT_PROJECT": "shop", "PYFLARE_INIT_INGEST_KEY": plaintext})
    assert not again.api_key_created and ApiKey.objects.count() == 1
    with pytest.raises(BootstrapError, match="PYFLARE_INIT_API_KEY is already a key with role 'ingest'"):
        bootstrap_from_env({"PYFLARE_INIT_PROJECT": "shop", "PYFLARE_INIT_API_KEY": plaintext})


def test_later_starts_change_nothing_and_show_no_secrets() -> None:
    first = bootstrap_from_env({})
    counts = (User.objects.count(), ApiKey.objects.count(), Project.objects.count(), Membership.objects.count())
    for _ in range(2):
        again = bootstrap_from_env({})
        assert not again.has_secrets_to_show and again.announcement() == ""
        assert not again.project_created and not again.admin_created and not again.api_key_created
    assert counts == (User.objects.count(), ApiKey.objects.count(), Project.objects.count(), Membership.objects.count())
    assert key_works(first.api_key or "", "default")


def test_given_values_are_used_and_nothing_is_generated() -> None:
    env = {
        "PYFLARE_INIT_PROJECT": "support-bot",
        "PYFLARE_INIT_API_KEY": INIT_KEY,
        "PYFLARE_INIT_ADMIN_EMAIL": "Ops@Example.com",
        "PYFLARE_INIT_ADMIN_PASSWORD": "a chosen passphrase 42",
    }
    result = bootstrap_from_env(env)
    assert result.project == "support-bot" and result.api_key_created and result.admin_created
    assert result.admin_password is None and result.api_key is None  # the operator knows them already
    assert not Project.objects.filter(slug="default").exists()
    assert authenticate(username="ops@example.com", password="a chosen passphrase 42") is not None
    assert ApiKey.objects.get().key_hash == hashlib.sha256(INIT_KEY.encode()).hexdigest()
    assert key_works(INIT_KEY, "support-bot")

    again = bootstrap_from_env(env)
    assert not again.api_key_created and not again.admin_created
    assert ApiKey.objects.count() == 1 and User.objects.count() == 1


def test_an_existing_admin_keeps_their_password() -> None:
    env = {"PYFLARE_INIT_ADMIN_EMAIL": "ops@example.com", "PYFLARE_INIT_ADMIN_PASSWORD": "first passphrase 1"}
    bootstrap_from_env(env)
    user = User.objects.get()
    user.set_password("changed in the ui 22")
    user.save()
    bootstrap_from_env({**env, "PYFLARE_INIT_ADMIN_PASSWORD": "another passphrase 3"})
    assert authenticate(username="ops@example.com", password="changed in the ui 22") is not None


def test_an_email_without_password_gets_a_generated_one_shown_once() -> None:
    result = bootstrap_from_env({"PYFLARE_INIT_ADMIN_EMAIL": "ops@example.com"})
    assert result.admin_password and result.api_key is None
    assert authenticate(username="ops@example.com", password=result.admin_password) is not None
    assert bootstrap_from_env({"PYFLARE_INIT_ADMIN_EMAIL": "ops@example.com"}).admin_password is None


def test_a_revoked_init_key_stays_revoked() -> None:
    bootstrap_from_env({"PYFLARE_INIT_API_KEY": INIT_KEY})
    ApiKey.objects.get().revoke()
    bootstrap_from_env({"PYFLARE_INIT_API_KEY": INIT_KEY})
    assert ApiKey.objects.count() == 1
    assert not key_works(INIT_KEY, "default")


def test_a_key_given_for_one_project_cannot_join_another() -> None:
    bootstrap_from_env({"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_PROJECT": "first"})
    with pytest.raises(BootstrapError, match="already belongs to project 'first'"):
        bootstrap_from_env({"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_PROJECT": "second"})


@pytest.mark.parametrize(
    ("env", "phrase"),
    [
        ({"PYFLARE_INIT_PROJECT": "Not A Slug"}, "PYFLARE_INIT_PROJECT"),
        ({"PYFLARE_INIT_API_KEY": "short"}, "PYFLARE_INIT_API_KEY"),
        ({"PYFLARE_INIT_ADMIN_PASSWORD": "x"}, "needs PYFLARE_INIT_ADMIN_EMAIL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], phrase: str) -> None:
    with pytest.raises(BootstrapError, match=phrase):
        bootstrap_from_env(env)
    assert not Project.objects.exists()


def test_the_management_command_prints_generated_secrets_once(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bootstrap")
    first = capsys.readouterr().out
    assert "PyFlare admin login: admin@pyflare.local /" in first and "API key" in first
    call_command("bootstrap")
    second = capsys.readouterr().out
    assert "API key" not in second and "present" in second
