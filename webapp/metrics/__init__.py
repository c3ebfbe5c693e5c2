"""Metrics over REST: metric names with their latest value, and time series per interval."""
