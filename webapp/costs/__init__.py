"""Costs: price overrides, budgets, notification channels and budget alerts; the /costs API."""
