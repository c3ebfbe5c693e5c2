"""Trace endpoints beyond the list and detail (webapp.traces.views): the large-trace reads."""
