"""`pyflare reprice`: re-price stored costs with every project's current prices, with a progress bar.

Embedded mode keeps ClickHouse in-process: stop `pyflare serve` first (one process per chdb
directory). Idempotent: a second run finds nothing to change.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from workers.analysis.cost import PriceBook, default_book
from workers.env import default_django_settings


def _instant(raw: str | None, flag: str) -> int | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise SystemExit(f"pyflare reprice: {flag} {raw!r} is not an ISO 8601 date or time") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 1000


def run_reprice(project: str | None, since: str | None, until: str | None, model: str | None,
                progress: bool = True) -> int:  # fmt: skip
    default_django_settings()
    import django

    django.setup()
    from tqdm import tqdm

    from webapp.costs.prices import overrides_by_project
    from workers.storage.clickhouse import StorageSettings, connect
    from workers.storage.costs.reprice import RepriceScope, plan, reprice

    scope = RepriceScope(project, _instant(since, "--since"), _instant(until, "--until"), model)
    books = {slug: PriceBook(overrides=rows) for slug, rows in overrides_by_project().items()}
    storage = StorageSettings.from_env()
    try:
        client = connect(storage)
    except Exception as exc:
        hint = " (is `pyflare serve` running on this data directory? stop it first)" if storage.is_embedded else ""
        print(f"pyflare reprice: cannot open ClickHouse at {storage.url}: {exc}{hint}", file=sys.stderr)
        return 2
    total = sum(rows for _day, rows in plan(client, scope))
    with tqdm(total=total, unit="span", desc="re-pricing", disable=not progress, file=sys.stderr) as bar:
        result = reprice(client, lambda slug: books.get(slug) or default_book(), scope, bar.update)
    print(f"re-priced {result.rows} spans in {result.seconds:.1f}s: {result.changed} changed "
          f"({result.now_priced} newly priced), {len(result.days)} day(s) of the rollup rebuilt")  # fmt: skip
    return 0
