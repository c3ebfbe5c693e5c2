"""costs and costs_hourly keep exact dollars: Decimal(38, 12) instead of whole micro-dollars.

Per-span costs were rounded to micro-dollars per component, so a 10-token embedding cost $0 and a
million cheap calls summed wrong. Prices are whole pico-dollars per token, so 12 decimals hold every
span's cost exactly, and Decimal(38, 12) sums stay exact (up to 10^26 dollars).

Steps, each safe to repeat while they run:
1. add `*_cost_usd` with a DEFAULT computed from the old micro-dollar column, so rows written before
   (and rows an older writer still sends) read as their old value;
2. materialise it into every part (a mutation: afterwards the value is stored, not computed);
3. replace the DEFAULT by 0, then drop the micro-dollar columns (the DEFAULT must go first: ClickHouse
   refuses to drop a column another column's default reads). Not REMOVE DEFAULT: materialising a
   column without a default fails, so a retried migration could not pass step 2 again; with DEFAULT 0
   it can, and stored values stay as they are.
Old rows keep their micro-dollar values (now exact to the micro-dollar); `pyflare reprice` prices
them again exactly.
"""

_PARTS = ("input", "cache", "output", "total")


def _exact(table: str, after: str) -> list[str]:
    add = ",\n".join(
        f"    ADD COLUMN IF NOT EXISTS {p}_cost_usd Decimal(38, 12) "
        f"DEFAULT toDecimal128({p}_cost_micros, 12) / 1000000 AFTER {after if i == 0 else _PARTS[i - 1] + '_cost_usd'}"
        for i, p in enumerate(_PARTS)
    )
    materialise = ",\n".join(f"    MATERIALIZE COLUMN {p}_cost_usd" for p in _PARTS)
    remove_default = ",\n".join(f"    MODIFY COLUMN {p}_cost_usd Decimal(38, 12) DEFAULT 0" for p in _PARTS)
    drop = ",\n".join(f"    DROP COLUMN IF EXISTS {p}_cost_micros" for p in _PARTS)
    return [
        f"ALTER TABLE {table}\n{add}",
        f"ALTER TABLE {table}\n{materialise}\nSETTINGS mutations_sync = 2",
        f"ALTER TABLE {table}\n{remove_default}",
        f"ALTER TABLE {table}\n{drop}\nSETTINGS mutations_sync = 2",
    ]


SQL: list[str] = [*_exact("costs", "reasoning_tokens"), *_exact("costs_hourly", "reasoning_tokens")]
