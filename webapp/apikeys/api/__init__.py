"""The API keys REST API: list, create, read and revoke a project's keys."""
