"""costs.response_id: the provider's response id (`gen_ai.response.id`), so one provider call traced
twice (two instrumentations of one client, or a framework and the SDK under it) is counted once.

Readers keep one row per (project, response_id) — the earliest span — wherever they sum costs
(`workers.storage.costs.rollup.costs_once`); rows without a response id are all kept. A bloom
filter finds a response id's rows for the trace view. Rows stored before this migration have no
response id (their duplicates, if any, stay counted twice).
"""

SQL: list[str] = [
    "ALTER TABLE costs ADD COLUMN IF NOT EXISTS response_id String DEFAULT '' CODEC(ZSTD(1)) AFTER input_hash",
    "ALTER TABLE costs ADD INDEX IF NOT EXISTS idx_response_id response_id TYPE bloom_filter(0.01) GRANULARITY 4",
]
