"""What `pyflare serve` prepares before it listens: schemas, first-start credentials, readiness checks.

Needs Django set up (DJANGO_SETTINGS_MODULE) and the environment final (the CLI flags are written
into it first).
"""

from __future__ import annotations

from collections.abc import Callable

from clickhouse_connect.driver.client import Client
from django.core.management import call_command

from webapp.api.readiness import register_check
from webapp.apikeys.intake import IntakeKeys
from webapp.projects.bootstrap import BootstrapResult, bootstrap_from_env
from webapp.projects.models import Project
from webapp.serve.intake import IntakeQueue
from webapp.serve.settings import ServeSettings
from workers.env import SettingError
from workers.storage.clickhouse import StorageSettings, connect
from workers.storage.migrate import apply as apply_migrations


def prepare_control_plane() -> BootstrapResult:
    """Apply the Django migrations (SQLite under the data dir by default), then PYFLARE_INIT_*."""
    call_command("migrate", interactive=False, verbosity=0)
    return bootstrap_from_env()


def intake_keys(settings: ServeSettings) -> IntakeKeys:
    """The key checker of the receivers; a keyless project must exist (nothing else is created)."""
    if settings.keyless_project is not None and not Project.objects.filter(slug=settings.keyless_project).exists():
        raise SettingError(
            f"PYFLARE_OTLP_KEYLESS_PROJECT={settings.keyless_project!r} names no project; create it first "
            f"(`pyflare projects create SLUG`, PYFLARE_INIT_PROJECT or the admin) or name an existing one"
        )
    return IntakeKeys(settings.key_cache_seconds)


def exporter_settings(ingest_key: str, otlp_http_url: str) -> str:
    """Ready-to-paste settings for an application: the pyflare SDK and any OpenTelemetry SDK."""
    return "\n".join([
        "Send telemetry with the ingest key; paste into the application's environment:",
        f"  export PYFLARE_API_KEY={ingest_key}",
        f"  export PYFLARE_ENDPOINT={otlp_http_url}",
        f"  export OTEL_EXPORTER_OTLP_ENDPOINT={otlp_http_url}",
        "  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
        f"  export OTEL_EXPORTER_OTLP_HEADERS=x-api-key={ingest_key}",
    ])


def prepare_storage(storage: StorageSettings) -> tuple[Client, list[str]]:
    """Open ClickHouse (chdb under the data dir by default) and apply its migrations."""
    client = connect(storage)
    return client, apply_migrations(client, storage)


def register_serve_checks(client: Client, storage: StorageSettings, queue: IntakeQueue,
                          ingest_alive: Callable[[], bool],
                          write_problem: Callable[[], str | None] = lambda: None) -> None:
    def clickhouse() -> str:
        client.query("SELECT 1")
        where = f"chdb at {storage.chdb_path}" if storage.is_embedded else "server"
        return f"ClickHouse ({where}) answers, database {storage.database}"

    def ingest() -> str:
        if not ingest_alive():
            raise RuntimeError("the ingest thread is not running")
        if queue.closed:
            raise RuntimeError("shutting down: intake closed")
        problem = write_problem()
        if problem:
            raise RuntimeError(f"the write path is stuck ({queue.unstored_items} items wait): {problem}")
        return f"{queue.unstored_items} of {queue.capacity} queued items wait to be stored"

    def celery() -> str:
        from workers.celery import app, ping

        reply = ping.apply_async().get(timeout=5)
        mode = "eager, in-process" if app.conf.task_always_eager else "through the broker"
        return f"task pyflare.health.ping answered {reply!r} ({mode})"

    register_check("clickhouse", clickhouse)
    register_check("ingest", ingest)
    register_check("celery", celery)
