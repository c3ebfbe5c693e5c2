"""Alerting storage: the metric values rules are evaluated on, and the `alert_events` history."""
