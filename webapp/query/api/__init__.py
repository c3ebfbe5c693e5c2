"""The query REST API: read-only SQL over a project's telemetry."""
