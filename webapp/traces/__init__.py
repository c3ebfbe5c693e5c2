"""Traces over REST: the trace list, trace detail with its span tree, and a trace's spans.

Also home of what the telemetry read endpoints share (ClickHouse access, query parameters, cursors).
"""
