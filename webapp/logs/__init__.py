"""Logs over REST: the project's log records, newest first, with severity, service, trace and text filters."""
