"""The dashboard REST API: the project summary."""
