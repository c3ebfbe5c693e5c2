"""The /costs REST API (summary, breakdown, export, forecast, recommendations, budgets, prices)."""
