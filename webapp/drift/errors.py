"""What drift's services refuse, as domain errors: the views (only they) answer them as HTTP.

Jobs and tasks may meet these too; they carry no HTTP status, so a Celery run never raises an API error.
"""

from __future__ import annotations


class DriftError(Exception):
    """A drift request that cannot be served; the message says what was wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MonitorNotFound(DriftError):
    """No monitor (or no results) for the model in the caller's project."""


class InvalidDriftInput(DriftError):
    """A value the caller sent cannot be used; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class DriftConflict(DriftError):
    """The request conflicts with what is stored (a dataset version already holding vectors)."""


class VectorsUnavailable(DriftError):
    """The vector store (Qdrant) cannot be reached."""
