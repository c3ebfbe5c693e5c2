"""Settings of the ingest consumer, every value from a `PYFLARE_*` environment variable."""

from __future__ import annotations

from dataclasses import dataclass, field

from workers.env import SettingError, env_bool, env_float, env_int, env_optional, env_str

DEFAULT_TOPIC_PREFIX = "pyflare"
TOPIC_TRACES = "pyflare.traces"
TOPIC_METRICS = "pyflare.metrics"
TOPIC_LOGS = "pyflare.logs"
TOPIC_DLQ = "pyflare.dlq"
TOPIC_ALERTS = "pyflare.alerts"


def signal_topics(prefix: str = DEFAULT_TOPIC_PREFIX) -> dict[str, str]:
    """Kafka topic -> signal name of workers.telemetry.columns.SIGNALS."""
    return {f"{prefix}.traces": "traces", f"{prefix}.metrics": "metrics", f"{prefix}.logs": "logs"}


SIGNAL_TOPICS = signal_topics()


def check_keyless(require_key: bool, keyless_project: str | None) -> None:
    """Keyless intake is one explicit choice: both settings together, or neither."""
    if not require_key and not keyless_project:
        raise SettingError(
            "PYFLARE_OTLP_REQUIRE_KEY=false needs PYFLARE_OTLP_KEYLESS_PROJECT=<slug>: the one existing "
            "project that exports without an API key are stored in"
        )
    if require_key and keyless_project:
        raise SettingError(
            f"PYFLARE_OTLP_KEYLESS_PROJECT={keyless_project!r} takes effect only with PYFLARE_OTLP_REQUIRE_KEY=false; "
            "set both to accept exports without a key, or unset it"
        )


@dataclass(frozen=True)
class IngestSettings:
    brokers: str = "127.0.0.1:19092"
    group_id: str = "pyflare-ingest"
    partitions: int = 4
    replication_factor: int = 1
    batch_max_rows: int = 50_000
    batch_max_seconds: float = 1.0
    poll_timeout_ms: int = 200
    max_poll_records: int = 500
    stats_interval_seconds: float = 10.0
    topics: dict[str, str] = field(default_factory=lambda: dict(SIGNAL_TOPICS))
    dlq_topic: str = TOPIC_DLQ
    alerts_topic: str = TOPIC_ALERTS
    require_key: bool = True  # PYFLARE_OTLP_REQUIRE_KEY: records need a valid key in their headers
    keyless_project: str | None = None  # PYFLARE_OTLP_KEYLESS_PROJECT: where keyless records go (keyless mode)
    key_cache_seconds: float = 10.0  # PYFLARE_INTAKE_KEY_CACHE_SECONDS

    def __post_init__(self) -> None:
        check_keyless(self.require_key, self.keyless_project)

    @classmethod
    def from_env(cls) -> IngestSettings:
        prefix = env_str("PYFLARE_KAFKA_TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX)
        return cls(
            topics=signal_topics(prefix),
            dlq_topic=f"{prefix}.dlq",
            alerts_topic=f"{prefix}.alerts",
            brokers=env_str("PYFLARE_KAFKA_BROKERS", cls.brokers),
            group_id=env_str("PYFLARE_INGEST_GROUP", cls.group_id),
            partitions=env_int("PYFLARE_KAFKA_PARTITIONS", cls.partitions),
            replication_factor=env_int("PYFLARE_KAFKA_REPLICATION", cls.replication_factor),
            batch_max_rows=env_int("PYFLARE_INGEST_BATCH_ROWS", cls.batch_max_rows),
            batch_max_seconds=env_float("PYFLARE_INGEST_BATCH_SECONDS", cls.batch_max_seconds),
            max_poll_records=env_int("PYFLARE_INGEST_MAX_POLL_RECORDS", cls.max_poll_records),
            stats_interval_seconds=env_float("PYFLARE_INGEST_STATS_SECONDS", cls.stats_interval_seconds),
            require_key=env_bool("PYFLARE_OTLP_REQUIRE_KEY", cls.require_key),
            keyless_project=env_optional("PYFLARE_OTLP_KEYLESS_PROJECT"),
            key_cache_seconds=env_float("PYFLARE_INTAKE_KEY_CACHE_SECONDS", cls.key_cache_seconds),
        )
