"""Moved to webapp/api/telemetry.py (shared API plumbing); kept so that existing imports keep working."""

from webapp.api.telemetry import *  # noqa: F403
