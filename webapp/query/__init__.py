"""The SQL endpoint: validate and project-scope a user's SELECT, then run it on ClickHouse."""
