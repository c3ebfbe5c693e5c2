"""The logs REST API: a project's log records."""
