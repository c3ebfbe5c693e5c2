"""The metrics REST API: metric names and time series."""
