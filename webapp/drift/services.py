"""What the drift API does: monitors, references (uploaded or from a past window), status, history,
per-feature results and run-now. Views stay thin; tasks and tests call these functions too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client
from django.db import transaction

from webapp.api.providers import providers
from webapp.drift.errors import DriftConflict, InvalidDriftInput, MonitorNotFound, VectorsUnavailable
from webapp.drift.from_window import reference_from_window
from webapp.drift.models import DriftMonitor, DriftReference
from webapp.drift.store import load_reference, save_reference
from webapp.projects.models import Project
from workers.analysis.drift import DriftConfigError, DriftType
from workers.analysis.drift.monitor.reference_set import EmbeddingBase, ReferenceSet
from workers.analysis.drift.monitor.uploads import (
    ReferenceInputError,
    embedding_matrix,
    feature_base,
    label_base,
    prediction_base,
)
from workers.analysis.drift.monitor.window import WindowSpec, from_ns
from workers.storage.drift.results import StoredRow, history, latest_run
from workers.storage.drift.vectors import reference_count, store_reference
from workers.storage.vectors import VectorStore, VectorStoreError

MODEL_ID_MAX = 256
DRIFT_TYPES = [kind.value for kind in DriftType]


def monitor_for(project: Project, model_id: str) -> DriftMonitor:
    monitor = DriftMonitor.objects.select_related("project", "reference").filter(project=project, model_id=model_id)
    found = monitor.first()
    if found is None:
        raise MonitorNotFound(
            f"no drift monitor for model {model_id!r}; create one with PUT /drift/{{model_id}}/monitor"
        )
    return found


def ensure_monitor(project: Project, model_id: str) -> DriftMonitor:
    """The model's monitor, created with defaults when a reference arrives first."""
    if not 0 < len(model_id) <= MODEL_ID_MAX:
        raise InvalidDriftInput("model_id", f"a model id is 1-{MODEL_ID_MAX} characters")
    monitor, _ = DriftMonitor.objects.get_or_create(project=project, model_id=model_id)
    return DriftMonitor.objects.select_related("project", "reference").get(pk=monitor.pk)


def save_monitor(project: Project, model_id: str, values: Mapping[str, Any]) -> tuple[DriftMonitor, bool]:
    if not 0 < len(model_id) <= MODEL_ID_MAX:
        raise InvalidDriftInput("model_id", f"a model id is 1-{MODEL_ID_MAX} characters")
    values = dict(values)
    channels = values.pop("channels", None)
    if channels is not None and any(c.project_id != project.pk for c in channels):
        raise InvalidDriftInput("channels", "name notification channels of this project")
    monitor = DriftMonitor.objects.filter(project=project, model_id=model_id).first()
    created = monitor is None
    if monitor is None:
        monitor = DriftMonitor(project=project, model_id=model_id)
    for name, value in values.items():
        setattr(monitor, name, value)
    monitor.full_clean(validate_unique=False)
    with transaction.atomic():
        monitor.save()
        if channels is not None:
            monitor.channels.set(channels)
    return DriftMonitor.objects.select_related("project", "reference").get(pk=monitor.pk), created


# --- references -----------------------------------------------------------------------------------


def _embedding_part(monitor: DriftMonitor, part: Mapping[str, Any], vectors: VectorStore) -> EmbeddingBase:
    project, model_id = monitor.project.slug, monitor.model_id
    rows = part.get("vectors")
    version = part.get("dataset_version") or f"upload-{uuid.uuid4().hex[:12]}"
    if not rows:
        dim = part.get("dim")
        if not dim or not part.get("dataset_version"):
            raise ReferenceInputError("embeddings: send vectors, or dataset_version and dim of vectors already stored")
        count = reference_count(vectors, project, model_id, version, dim)
        if count == 0:
            raise ReferenceInputError(f"embeddings: dataset version {version!r} holds no {dim}-d vectors")
        return EmbeddingBase(version, dim, count, part.get("embedding_type", ""))
    array = embedding_matrix(rows)
    dim = int(array.shape[1])
    existing = reference_count(vectors, project, model_id, version, dim)
    if existing and not part.get("append"):
        raise DriftConflict(
            f"dataset version {version!r} already holds {existing} vectors; choose a new version or send append=true"
        )
    try:
        store_reference(vectors, project, model_id, version, array, existing, part.get("embedding_type", ""))
    except VectorStoreError as exc:
        raise VectorsUnavailable(str(exc)) from exc
    return EmbeddingBase(version, dim, existing + int(array.shape[0]), part.get("embedding_type", ""))


def reference_from_upload(monitor: DriftMonitor, data: Mapping[str, Any], vectors: VectorStore | None) -> ReferenceSet:
    declared = monitor.feature_types or {}
    try:
        result = ReferenceSet(
            {name: feature_base(name, part, declared.get(name)) for name, part in (data.get("features") or {}).items()}
        )
        if data.get("predictions"):
            result.prediction = prediction_base(data["predictions"])
        if data.get("labels"):
            result.labels = label_base(data["labels"])
        if data.get("embeddings"):
            result.embedding = _embedding_part(monitor, data["embeddings"], vectors or providers.vector_store())
    except (ReferenceInputError, DriftConfigError) as exc:
        raise InvalidDriftInput("reference", str(exc)) from None
    counts = [b.summary.count for b in result.features.values()]
    result.row_count = max(counts) if counts else (result.prediction.summary.count if result.prediction else 0)
    return result


def set_reference(
    monitor: DriftMonitor,
    data: Mapping[str, Any],
    created_by: str,
    *,
    client: Callable[[], Client],
    vectors: VectorStore | None = None,
) -> DriftReference:
    """Build the reference from an upload or a past window and make it the monitor's active one."""
    window = data.get("window")
    if window:
        spec = WindowSpec(monitor.project.slug, monitor.model_id, window["start"], window["end"])
        reference = reference_from_window(
            client(), vectors if vectors is not None else providers.vector_store(), spec,
            listed=monitor.features or (), declared=monitor.feature_types or {}, max_rows=monitor.max_window_rows,
        )  # fmt: skip
        if reference.is_empty():
            raise InvalidDriftInput("window", "the window holds no spans of this model with features or predictions")
        source, bounds = "window", (from_ns(window["start"]), from_ns(window["end"]))
    else:
        reference, bounds = reference_from_upload(monitor, data, vectors), None
        source = "dataset" if reference.embedding and not (reference.features or reference.prediction) else "upload"
    if data.get("mode") == "merge" and monitor.reference is not None:
        reference = reference.merged_over(load_reference(monitor.reference))
    return save_reference(monitor, reference, source, created_by, bounds)


def describe_reference(stored: DriftReference) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "source": stored.source,
        "created_at": stored.created_at,
        "created_by": stored.created_by,
        "window_start": stored.window_start,
        "window_end": stored.window_end,
        "row_count": stored.row_count,
        "size_bytes": stored.size_bytes,
        "parts": load_reference(stored).describe(),
    }


# --- results --------------------------------------------------------------------------------------


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _drift_score(row: StoredRow) -> dict[str, Any]:
    return {
        "score": min(1.0, max(0.0, row.severity)),
        "threshold": float(row.details.get("type_threshold", 0.5)),
        "is_drifted": row.drifted,
        "trend": row.details.get("trend", "stable"),
        "feature_breakdown": row.details.get("breakdown", {}),
        "method": row.method,
    }


def drift_status(client: Client, project: Project, model_id: str) -> dict[str, Any]:
    rows = latest_run(client, project.slug, model_id)
    if not rows:
        if not DriftMonitor.objects.filter(project=project, model_id=model_id).exists():
            raise MonitorNotFound(f"no drift monitor or results for model {model_id!r}")
        return {
            "model_id": model_id, "overall_status": "healthy", "severity": 0.0,
            "drift_scores": dict.fromkeys(DRIFT_TYPES), "drifted_features": [], "skipped": {},
            "has_results": False, "last_updated": None, "window_start": None, "window_end": None,
        }  # fmt: skip
    by_type = {row.drift_type: row for row in rows if row.feature == ""}
    overall = by_type.get("overall")
    return {
        "model_id": model_id,
        "overall_status": overall.details.get("status", "healthy") if overall else "healthy",
        "severity": overall.severity if overall else 0.0,
        "drift_scores": {kind: _drift_score(by_type[kind]) if kind in by_type else None for kind in DRIFT_TYPES},
        "drifted_features": [row.feature for row in rows if row.feature and row.drifted],
        "skipped": overall.details.get("skipped", {}) if overall else {},
        "has_results": True,
        "last_updated": _moment(rows[0].time_ms),
        "window_start": _moment(rows[0].window_start_ms),
        "window_end": _moment(rows[0].window_end_ms),
    }


def history_points(client: Client, project: Project, model_id: str, query: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = history(
        client, project.slug, model_id, drift_type=query.get("drift_type"), feature=query.get("feature"),
        start_ms=None if query.get("start_time") is None else query["start_time"] // 1_000_000,
        end_ms=None if query.get("end_time") is None else query["end_time"] // 1_000_000, limit=query["limit"],
    )  # fmt: skip
    return [_point(r) for r in rows]


def _point(r: StoredRow) -> dict[str, Any]:
    return {
        "run_id": r.run_id, "time": _moment(r.time_ms), "window_start": _moment(r.window_start_ms),
        "window_end": _moment(r.window_end_ms), "drift_type": r.drift_type, "feature": r.feature,
        "method": r.method, "score": r.score, "p_value": r.p_value, "threshold": r.threshold,
        "is_drifted": r.drifted, "severity": r.severity, "trend": r.details.get("trend"),
    }  # fmt: skip


def _feature_score(row: StoredRow) -> dict[str, Any]:
    return {
        "feature": row.feature or "prediction", "feature_type": row.feature_type, "method": row.method,
        "score": row.score, "p_value": row.p_value, "threshold": row.threshold, "is_drifted": row.drifted,
        "severity": row.severity, "n_reference": row.n_reference, "n_current": row.n_current,
        "histogram": row.histogram,
    }  # fmt: skip


def feature_scores(client: Client, project: Project, model_id: str) -> dict[str, Any]:
    rows = latest_run(client, project.slug, model_id)
    if not rows and not DriftMonitor.objects.filter(project=project, model_id=model_id).exists():
        raise MonitorNotFound(f"no drift monitor or results for model {model_id!r}")
    prediction = next((r for r in rows if r.drift_type == "prediction"), None)
    return {
        "model_id": model_id,
        "run_id": rows[0].run_id if rows else None,
        "window_start": _moment(rows[0].window_start_ms) if rows else None,
        "window_end": _moment(rows[0].window_end_ms) if rows else None,
        "features": [_feature_score(r) for r in rows if r.drift_type == "feature" and r.feature],
        "prediction": None if prediction is None else _feature_score(prediction),
    }
