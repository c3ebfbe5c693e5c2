"""What a batch needs from an OTLP resource: project, service, environment and its attributes."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.proto.resource.v1.resource_pb2 import Resource

from workers.telemetry.anyvalue import attributes_text


@dataclass(frozen=True)
class ResourceInfo:
    project: str
    service_name: str
    environment: str
    keys: list[str]
    values: list[str]


_CACHE: dict[tuple[bytes, str], ResourceInfo] = {}
_CACHE_LIMIT = 4096


def resource_info(resource: Resource, default_project: str) -> ResourceInfo:
    """The resource's info; the same resource (by its bytes) is read once, since every request of
    one process repeats it. The returned lists are shared and must not be mutated."""
    key = (resource.SerializeToString(), default_project)
    info = _CACHE.get(key)
    if info is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        info = _CACHE[key] = _read_resource(resource, default_project)
    return info


def _read_resource(resource: Resource, default_project: str) -> ResourceInfo:
    keys, values = attributes_text(resource.attributes)
    attrs = dict(zip(keys, values, strict=True))
    return ResourceInfo(
        project=attrs.get("pyflare.project") or default_project,
        service_name=attrs.get("service.name") or "unknown_service",
        environment=attrs.get("deployment.environment.name") or attrs.get("deployment.environment") or "",
        keys=keys,
        values=values,
    )
