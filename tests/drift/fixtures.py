"""A ready drift monitor for tests outside this folder (the RBAC matrix names /drift/{model_id})."""

from __future__ import annotations

from webapp.drift.models import DriftMonitor
from webapp.drift.services import ensure_monitor, set_reference
from webapp.projects.models import Project

MATRIX_MODEL = "matrix-model"


def _no_clickhouse() -> None:
    raise AssertionError("an uploaded reference needs no ClickHouse")


def drift_model(project: Project) -> str:
    """The id of a model with a monitor and an uploaded reference in `project` (created once per test)."""
    if not DriftMonitor.objects.filter(project=project, model_id=MATRIX_MODEL, reference__isnull=False).exists():
        monitor = ensure_monitor(project, MATRIX_MODEL)
        upload = {"features": {"age": {"values": [20, 30, 40, 50, 60] * 10}}, "mode": "replace"}
        set_reference(monitor, upload, "matrix", client=_no_clickhouse)  # type: ignore[arg-type]
    return MATRIX_MODEL
