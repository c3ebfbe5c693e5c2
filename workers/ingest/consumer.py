"""`pyflare ingest`: the Kafka consumer process (scale mode).

SIGTERM/SIGINT finish the current batch, commit and exit. Throughput and lag are logged every
`PYFLARE_INGEST_STATS_SECONDS`.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

from workers.env import SettingError
from workers.ingest.admission import KeyAdmission
from workers.ingest.control_keys import control_plane_keys
from workers.ingest.kafka import KafkaDeadLetters, KafkaSource, ensure_topics
from workers.ingest.loop import IngestLoop
from workers.ingest.notify import Publish
from workers.ingest.pipeline import BatchLimits, build_pipeline
from workers.ingest.settings import IngestSettings
from workers.ingest.sink import StorageSink
from workers.storage.clickhouse import StorageSettings, connect
from workers.storage.migrate import apply as apply_migrations
from workers.storage.vectors import vector_store_from_env
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions

log = logging.getLogger("pyflare.ingest")


class _StatsReporter:
    def __init__(self, loop: IngestLoop, source: KafkaSource, interval: float) -> None:
        self._loop, self._source, self._interval = loop, source, interval
        self._last_time = time.monotonic()
        self._last_rows = 0

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self._last_time < self._interval:
            return
        rows = sum(self._loop.stats.rows.values())
        rate = (rows - self._last_rows) / (now - self._last_time)
        try:
            lag = str(self._source.lag())
        except Exception as exc:  # lag is informative only; never stop ingesting for it
            lag = f"unknown ({exc})"
        log.info(
            "ingest: %.0f rows/s, rows=%s, messages=%d, dead_letters=%d, lag=%s messages",
            rate,
            self._loop.stats.rows,
            self._loop.stats.messages,
            self._loop.stats.dead_letters,
            lag,
        )
        self._last_time, self._last_rows = now, rows


def admission_from(settings: IngestSettings) -> KeyAdmission:
    """Records are admitted by their API key (PYFLARE_OTLP_REQUIRE_KEY, PYFLARE_OTLP_KEYLESS_PROJECT)."""
    lookup = control_plane_keys(settings.key_cache_seconds)
    from django.db import DatabaseError

    from webapp.projects.models import Project

    try:
        keyless_exists = Project.objects.filter(slug=settings.keyless_project or "").exists()
    except DatabaseError as exc:
        raise SettingError(
            f"the control database cannot be read ({exc}); create its tables and the first project with "
            f"`pyflare projects create SLUG`, then a key with `pyflare keys create`"
        ) from None
    if settings.keyless_project is not None and not keyless_exists:
        raise SettingError(
            f"PYFLARE_OTLP_KEYLESS_PROJECT={settings.keyless_project!r} names no project; "
            f"create it first with `pyflare projects create`"
        )
    return KeyAdmission(lookup, keyless_project=settings.keyless_project)


def run_ingest(
    settings: IngestSettings | None = None, storage: StorageSettings | None = None, publish: Publish | None = None
) -> int:
    """Consume until SIGTERM/SIGINT. `publish` announces stored traces to `/ws` subscribers (the Redis
    channel layer the web processes listen on); None leaves live notifications out."""
    settings = settings or IngestSettings.from_env()
    storage = storage or StorageSettings.from_env()
    admission = admission_from(settings)  # the control plane first: a wrong key setting fails at once
    created = ensure_topics(settings)
    if created:
        log.info("created topics %s", created)
    client = connect(storage)
    apply_migrations(client, storage)
    holder: dict[str, IngestLoop] = {}
    source = KafkaSource(settings, on_revoke=lambda: holder["loop"].flush_or_discard())
    dead_letters = KafkaDeadLetters(settings)
    pipeline = build_pipeline(
        source, StorageSink(ClickHouseWriter(client), vector_store_from_env()), dead_letters,
        topics=settings.topics, options=NormaliseOptions.from_env(),
        limits=BatchLimits(settings.batch_max_rows, settings.batch_max_seconds, settings.poll_timeout_ms),
        publish=publish, admission=admission,
    )  # fmt: skip
    loop = holder["loop"] = pipeline.loop

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %d: finishing the batch", signum)
        loop.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("consuming %s as group %s from %s", list(settings.topics), settings.group_id, settings.brokers)
    try:
        loop.run(idle_hook=_StatsReporter(loop, source, settings.stats_interval_seconds))
    finally:
        source.close()
        dead_letters.close()
    pricing = pipeline.pricing.stats
    published = pipeline.notifier.published if pipeline.notifier else 0
    log.info("stopped: rows=%s dead_letters=%d, spans priced=%d unpriced=%d, live traces announced=%d",
             loop.stats.rows, loop.stats.dead_letters, pricing.priced, pricing.unpriced, published)
    return 0
