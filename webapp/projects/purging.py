"""The purger the API and the admin hand to webapp.projects.lifecycle: the telemetry store and the
vector store the rest of the web process reads (both injectable in tests)."""

from __future__ import annotations

from webapp.api.telemetry import telemetry_client
from webapp.drift.services import vector_store
from workers.storage.purge import purge_project_telemetry, purge_project_vectors


def purge_everywhere(slug: str) -> list[str]:
    erased = purge_project_telemetry(telemetry_client(), slug)
    erased += [f"qdrant:{name}" for name in purge_project_vectors(vector_store(), slug)]
    return erased
