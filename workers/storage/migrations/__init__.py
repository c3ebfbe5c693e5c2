"""Numbered ClickHouse schema migrations, applied in order by `workers.storage.migrate`.

Each `NNNN_name.py` holds its own SQL in `SQL: list[str]` (a copy, never imported from live code)
with `{retention_days}` as the only placeholder. Statements must be idempotent (IF NOT EXISTS)
so that two runners starting at once are harmless. Never edit an applied migration: add one.
"""
