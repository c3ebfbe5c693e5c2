"""The traces REST API: list, detail, spans, outline, facets, export and saved views."""
