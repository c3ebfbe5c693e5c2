"""REST endpoints of the alerting app (/api/v1/alerts/...)."""
