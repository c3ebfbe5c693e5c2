"""People for the settings tests. PyFlare has no sign-up API (accounts are made by an operator), so
a user is created the way an operator would: Django's ORM against the control database of the
`pyflare serve` under test, in a separate process with that server's data directory."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.serve.running import ServeProcess

_CREATE = """
import django, sys
django.setup()
from webapp.accounts.models import User
from webapp.projects.models import Membership, Project
email, password, slug, role = sys.argv[1:5]
user = User.objects.filter(email=email).first() or User.objects.create_user(email, password)
Membership.objects.update_or_create(user=user, project=Project.objects.get(slug=slug), defaults={"role": role})
"""


def create_member(serve: ServeProcess, email: str, password: str, project: str, role: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"DJANGO_SETTINGS_MODULE": "webapp.settings", "PYFLARE_DATA_DIR": str(serve.data_dir)})
    done = subprocess.run([sys.executable, "-c", _CREATE, email, password, project, role], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
