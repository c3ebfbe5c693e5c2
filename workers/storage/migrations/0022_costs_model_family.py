"""costs.model_family: the model family beside the exact model id, and a rollup dimension for it.

`gpt-4o-mini-2024-07-18` and `gpt-4o-mini` are one family, `gpt-4o-mini`: the priced model's name
with PyFlare's name rules applied (dates, versions, routing and region prefixes). Ingest and
`pyflare reprice` write it from the price book; rows stored before get it from the same name rules
applied to their model_id (a copy of cost_prices.json's rules as of this migration) — close to what
the book says, and `pyflare reprice` makes it exact.

Steps, each safe to repeat: add the column with that expression as DEFAULT, materialise it, set the
DEFAULT to '' (writers always send it), and reset the rollup's settled mark so the next `settle`
rebuilds every day with the new `model_family` dimension (reads stay exact meanwhile: hours past
the mark are read from `costs FINAL`).
"""

# cost_prices.json name_rules (2026-12-06.1), applied in order; a rule that would leave nothing is skipped.
_RULES = (
    r"^.*/",
    r"^(us|eu|apac|ap|us-gov|global|ca|jp|au|regional)\.",
    r"^(anthropic|meta|amazon|mistral|cohere|ai21|deepseek)\.",
    r"@\d{8}$",
    r"-v\d+(:\d+)?$",
    r"-(\d{4}-\d{2}-\d{2}|\d{8})$",
    r"-latest$",
    r"-\d{3}$",
)


def _family(column: str) -> str:
    rules = ", ".join("'" + rule.replace("\\", "\\\\").replace("'", "\\'") + "'" for rule in _RULES)
    return (f"arrayFold((name, rule) -> if(empty(replaceRegexpOne(name, rule, '')), name, "
            f"replaceRegexpOne(name, rule, '')), [{rules}], CAST(lower(trimBoth({column})), 'String'))")


SQL: list[str] = [
    "ALTER TABLE costs ADD COLUMN IF NOT EXISTS model_family LowCardinality(String) "
    f"DEFAULT {_family('model_id')} AFTER model_id",
    "ALTER TABLE costs MATERIALIZE COLUMN model_family SETTINGS mutations_sync = 2",
    "ALTER TABLE costs MODIFY COLUMN model_family LowCardinality(String) DEFAULT ''",
    "INSERT INTO costs_rollup_state (name, settled_until, watermark, version) "
    "SELECT 'costs_hourly', toDateTime64(0, 3, 'UTC'), toDateTime64(0, 3, 'UTC'), toUnixTimestamp64Nano(now64(9))",
]
