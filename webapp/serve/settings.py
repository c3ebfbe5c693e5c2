"""Settings of `pyflare serve`, every value from a `PYFLARE_*` environment variable.

The CLI flags write these variables before anything reads them, so a flag and its variable are
one value everywhere (Django settings, storage, this module).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workers.env import env_bool, env_float, env_int, env_list, env_optional
from workers.ingest.settings import check_keyless


def _int(name: str, default: int, minimum: int) -> int:
    return env_int(name, default, minimum=minimum)


def _float(name: str, default: float, minimum: float) -> float:
    return env_float(name, default, minimum=minimum)


def _list(name: str) -> tuple[str, ...]:
    return tuple(env_list(name, []))


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"  # PYFLARE_HOST: where the web app and both OTLP receivers listen
    port: int = 8000  # PYFLARE_PORT: web app (REST API, admin, docs, websockets)
    otlp_http_port: int = 4318  # PYFLARE_OTLP_HTTP_PORT
    otlp_grpc_port: int = 4317  # PYFLARE_OTLP_GRPC_PORT
    queue_items: int = 200_000  # PYFLARE_SERVE_QUEUE_ITEMS: spans/points/records accepted but not yet stored
    max_body_bytes: int = 32 * 1024 * 1024  # PYFLARE_OTLP_MAX_BODY_BYTES: per request, before and after gzip
    cors_origins: tuple[str, ...] = field(default_factory=tuple)  # PYFLARE_OTLP_CORS_ORIGINS ('*' = any)
    require_key: bool = True  # PYFLARE_OTLP_REQUIRE_KEY: false lets keyless exports into keyless_project
    keyless_project: str | None = None  # PYFLARE_OTLP_KEYLESS_PROJECT: the one project keyless exports go to
    key_cache_seconds: float = 10.0  # PYFLARE_INTAKE_KEY_CACHE_SECONDS: how long a key's answer is reused
    retry_after_seconds: int = 1  # PYFLARE_OTLP_RETRY_AFTER_SECONDS: told to throttled clients
    ack_timeout_seconds: float = 8.0  # PYFLARE_OTLP_ACK_TIMEOUT_SECONDS: wait for storage before a 503
    batch_seconds: float = 0.5  # PYFLARE_SERVE_BATCH_SECONDS: longest a batch grows under a steady stream
    batch_rows: int = 50_000  # PYFLARE_INGEST_BATCH_ROWS (shared with `pyflare ingest`)
    grpc_workers: int = 16  # PYFLARE_OTLP_GRPC_WORKERS: concurrent gRPC exports
    drain_seconds: float = 30.0  # PYFLARE_SERVE_DRAIN_SECONDS: SIGTERM stops storing after this long without progress

    def __post_init__(self) -> None:
        ports = {
            "PYFLARE_PORT": self.port,
            "PYFLARE_OTLP_HTTP_PORT": self.otlp_http_port,
            "PYFLARE_OTLP_GRPC_PORT": self.otlp_grpc_port,
        }
        for name, port in ports.items():
            if not 0 < port < 65536:
                raise ValueError(f"{name}={port} is not a TCP port (1-65535)")
        if len(set(ports.values())) != len(ports):
            raise ValueError(f"the web, OTLP/HTTP and OTLP/gRPC ports must differ, got {ports}")
        check_keyless(self.require_key, self.keyless_project)

    @classmethod
    def from_env(cls) -> ServeSettings:
        return cls(
            host=env_optional("PYFLARE_HOST") or cls.host,
            port=_int("PYFLARE_PORT", cls.port, 1),
            otlp_http_port=_int("PYFLARE_OTLP_HTTP_PORT", cls.otlp_http_port, 1),
            otlp_grpc_port=_int("PYFLARE_OTLP_GRPC_PORT", cls.otlp_grpc_port, 1),
            queue_items=_int("PYFLARE_SERVE_QUEUE_ITEMS", cls.queue_items, 1),
            max_body_bytes=_int("PYFLARE_OTLP_MAX_BODY_BYTES", cls.max_body_bytes, 1024),
            cors_origins=_list("PYFLARE_OTLP_CORS_ORIGINS"),
            require_key=env_bool("PYFLARE_OTLP_REQUIRE_KEY", cls.require_key),
            keyless_project=env_optional("PYFLARE_OTLP_KEYLESS_PROJECT"),
            key_cache_seconds=_float("PYFLARE_INTAKE_KEY_CACHE_SECONDS", cls.key_cache_seconds, 0.0),
            retry_after_seconds=_int("PYFLARE_OTLP_RETRY_AFTER_SECONDS", cls.retry_after_seconds, 0),
            ack_timeout_seconds=_float("PYFLARE_OTLP_ACK_TIMEOUT_SECONDS", cls.ack_timeout_seconds, 0.1),
            batch_seconds=_float("PYFLARE_SERVE_BATCH_SECONDS", cls.batch_seconds, 0.0),
            batch_rows=_int("PYFLARE_INGEST_BATCH_ROWS", cls.batch_rows, 1),
            grpc_workers=_int("PYFLARE_OTLP_GRPC_WORKERS", cls.grpc_workers, 1),
            drain_seconds=_float("PYFLARE_SERVE_DRAIN_SECONDS", cls.drain_seconds, 0.0),
        )
