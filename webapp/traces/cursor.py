"""Moved to webapp/api/cursor.py (shared API plumbing); kept so that existing imports keep working."""

from webapp.api.cursor import *  # noqa: F403
