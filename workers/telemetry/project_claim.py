"""The project rule of intake: telemetry goes to the project its API key writes to, nowhere else.

A resource may name that project in `pyflare.project` (the SDK does); a resource that names any other
value — another project, an empty or made-up slug — makes the whole export refused, so nothing of it
is stored. Resources without the attribute get the key's project. Used by the OTLP receivers of
`pyflare serve` and by `pyflare ingest` for Kafka records, on decoded export requests.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

PROJECT_ATTRIBUTE = "pyflare.project"
REQUEST_TYPES: dict[str, type[Any]] = {
    "traces": ExportTraceServiceRequest,
    "metrics": ExportMetricsServiceRequest,
    "logs": ExportLogsServiceRequest,
}
_RESOURCE_FIELDS = {"traces": "resource_spans", "metrics": "resource_metrics", "logs": "resource_logs"}
_SHOWN_CHARS = 64  # a refused value is quoted this far (it may be 5,000 characters of anything)


class ForeignProject(ValueError):
    """A resource names a project the key does not write to."""


def claim_project(signal: str, request: Any, project: str) -> bool:
    """Check every resource against `project` and stamp it on those without the attribute.

    Returns whether the request changed (it then needs re-serialising); raises ForeignProject.
    """
    changed = False
    for holder in getattr(request, _RESOURCE_FIELDS[signal]):
        named = [kv.value for kv in holder.resource.attributes if kv.key == PROJECT_ATTRIBUTE]
        for value in named:
            text = value.string_value if value.WhichOneof("value") == "string_value" else None
            if text != project:
                raise ForeignProject(foreign_message(text, project))
        if not named:
            added = holder.resource.attributes.add()
            added.key = PROJECT_ATTRIBUTE
            added.value.string_value = project
            changed = True
    return changed


def foreign_message(named: str | None, project: str) -> str:
    """Why an export naming `named` (None: not a string) is refused for a key of `project`."""
    if named is None:
        shown = "(a value that is not a string)"
    elif len(named) <= _SHOWN_CHARS:
        shown = repr(named)
    else:
        shown = f"{named[:_SHOWN_CHARS]!r}… ({len(named)} characters)"
    return (f"a resource names {PROJECT_ATTRIBUTE}={shown}, but this API key writes to project {project!r} only; "
            f"drop the attribute or set it to {project!r}")
