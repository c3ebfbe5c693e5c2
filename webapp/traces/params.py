"""Moved to webapp/api/params.py (shared API plumbing); kept so that existing imports keep working."""

from webapp.api.params import *  # noqa: F403
