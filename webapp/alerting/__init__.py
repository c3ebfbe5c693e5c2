"""Alerting: rules, alerts, silences, maintenance windows and inhibition, with one evaluation pipeline."""
