"""The projects REST API: projects and their members."""
