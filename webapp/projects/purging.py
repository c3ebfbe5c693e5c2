"""The purger the API and the admin hand to webapp.projects.lifecycle: the telemetry store and the
vector store the rest of the web process reads (both from webapp.api.providers, which tests override)."""

from __future__ import annotations

from webapp.api.providers import providers
from webapp.api.telemetry import telemetry_client
from workers.storage.purge import purge_project_telemetry, purge_project_vectors


def purge_everywhere(slug: str) -> list[str]:
    erased = purge_project_telemetry(telemetry_client(), slug)
    erased += [f"qdrant:{name}" for name in purge_project_vectors(providers.vector_store(), slug)]
    return erased
