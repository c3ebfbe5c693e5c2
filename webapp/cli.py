"""The `pyflare` command: `ingest`, `migrate`, `serve` (the embedded mode), `reprice`, `projects`, `keys`.

Each command imports what it needs when it runs; `pyflare ingest` sets Django up only to read
price overrides (lazily, on its first batch with token usage).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from workers.env import default_django_settings, env_str, set_value


def _cmd_ingest(args: argparse.Namespace) -> int:
    from workers.env import SettingError
    from workers.ingest.consumer import run_ingest
    from workers.ingest.settings import IngestSettings

    try:
        settings = IngestSettings.from_env()
        overrides = {k: v for k, v in {"brokers": args.brokers, "group_id": args.group}.items() if v}
        if overrides:
            settings = type(settings)(**{**settings.__dict__, **overrides})
        return run_ingest(settings, publish=_live_traces_publisher())
    except SettingError as exc:
        print(f"pyflare ingest: {exc}", file=sys.stderr)
        return 2


def _live_traces_publisher() -> Any:
    """Scale mode's sender of live-trace notifications (the Redis channel layer), or None."""
    import django

    default_django_settings()
    django.setup()
    from webapp.realtime.publisher import scale_publisher

    return scale_publisher()


def _cmd_migrate(args: argparse.Namespace) -> int:
    from workers.storage.migrate import main as migrate_main

    return migrate_main(["--plan"] if args.plan else ["--check"] if args.check else [])


def _cmd_reprice(args: argparse.Namespace) -> int:
    from webapp.costs.reprice_command import run_reprice

    return run_reprice(args.project, args.since, args.until, args.model, progress=not args.no_progress)


def _cmd_projects(args: argparse.Namespace) -> int:
    from webapp.apikeys import commands

    if args.action == "create":
        return commands.create_project(args.slug, args.name)
    return commands.list_projects()


def _cmd_keys(args: argparse.Namespace) -> int:
    from webapp.apikeys import commands

    if args.action == "create":
        return commands.create_key(args.project, args.role, args.name)
    if args.action == "revoke":
        return commands.revoke_key(args.prefix)
    return commands.list_keys(args.project)


# `serve` flag -> the environment variable it sets before any settings are read (one name, one value).
_SERVE_FLAGS = {
    "host": "PYFLARE_HOST",
    "port": "PYFLARE_PORT",
    "otlp_http_port": "PYFLARE_OTLP_HTTP_PORT",
    "otlp_grpc_port": "PYFLARE_OTLP_GRPC_PORT",
    "data_dir": "PYFLARE_DATA_DIR",
}


def _cmd_serve(args: argparse.Namespace) -> int:
    for flag, name in _SERVE_FLAGS.items():
        value = getattr(args, flag)
        if value is not None:
            set_value(name, str(os.path.abspath(os.path.expanduser(value)) if flag == "data_dir" else value))
    from webapp.serve.process import run_serve
    from webapp.serve.settings import ServeSettings

    try:
        settings = ServeSettings.from_env()
    except ValueError as exc:
        print(f"pyflare serve: {exc}", file=sys.stderr)
        return 2
    return run_serve(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pyflare", description="PyFlare observability platform")
    parser.add_argument("--log-level", default=env_str("PYFLARE_LOG_LEVEL", "INFO"))
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="consume OTLP from Kafka into ClickHouse (scale mode)")
    ingest.add_argument("--brokers", help="Kafka bootstrap servers (PYFLARE_KAFKA_BROKERS)")
    ingest.add_argument("--group", help="consumer group id (PYFLARE_INGEST_GROUP)")
    ingest.set_defaults(func=_cmd_ingest)

    migrate = sub.add_parser("migrate", help="apply ClickHouse schema migrations")
    mode = migrate.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true", help="list what would be applied, change nothing")
    mode.add_argument("--check", action="store_true", help="exit 1 if migrations are pending or changed")
    migrate.set_defaults(func=_cmd_migrate)

    reprice = sub.add_parser("reprice", help="re-price stored costs with the current prices (after a price change)")
    reprice.add_argument("--project", help="only this project (slug); default: every project")
    reprice.add_argument("--since", help="from this time (ISO 8601, UTC when no offset); default: all history")
    reprice.add_argument("--until", help="up to this time, exclusive (ISO 8601); default: no limit")
    reprice.add_argument("--model", help="only spans of this model name, as stored")
    reprice.add_argument("--no-progress", action="store_true", help="no progress bar")
    reprice.set_defaults(func=_cmd_reprice)

    projects = sub.add_parser("projects", help="create or list projects (control plane, for headless setups)")
    project_actions = projects.add_subparsers(dest="action", required=True)
    create = project_actions.add_parser("create", help="create a project (nothing happens if it exists)")
    create.add_argument("slug", help="1-63 lower-case letters, digits, '-' or '_'")
    create.add_argument("--name", help="display name (default: the slug)")
    project_actions.add_parser("list", help="slug and name of every project")
    projects.set_defaults(func=_cmd_projects)

    keys = sub.add_parser("keys", help="create, list or revoke API keys (control plane, for headless setups)")
    key_actions = keys.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="make a key and print its secret once, on stdout")
    create.add_argument("--project", required=True, help="slug of the project the key acts for")
    create.add_argument("--role", default="ingest",
                        help="ingest (default: sends telemetry, reads nothing), admin, developer, viewer, operator")
    create.add_argument("--name", help="what the key is for, shown in key lists")
    listing = key_actions.add_parser("list", help="keys (prefix, role, status; never secrets)")
    listing.add_argument("--project", help="only this project's keys")
    revoke = key_actions.add_parser("revoke", help="revoke the key whose prefix this is")
    revoke.add_argument("prefix", help="the key's shown prefix (pf_ and 7 characters)")
    keys.set_defaults(func=_cmd_keys)

    serve = sub.add_parser("serve", help="embedded mode: web app, OTLP receivers and ingestion in one process")
    serve.add_argument("--host", help="listen address of all three ports (PYFLARE_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="web app: API, admin, docs, websockets (PYFLARE_PORT, default 8000)")
    serve.add_argument("--otlp-http-port", type=int, help="OTLP/HTTP receiver (PYFLARE_OTLP_HTTP_PORT, default 4318)")
    serve.add_argument("--otlp-grpc-port", type=int, help="OTLP/gRPC receiver (PYFLARE_OTLP_GRPC_PORT, default 4317)")
    serve.add_argument(
        "--data-dir", help="where chdb, qdrant-edge and SQLite keep data (PYFLARE_DATA_DIR, default ~/.pyflare)"
    )
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
