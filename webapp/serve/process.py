"""`pyflare serve`: one process with the web app, both OTLP receivers and the ingest thread.

Start: bind the ports (fail fast), migrate the control DB and ClickHouse, honour PYFLARE_INIT_*,
start ingest, gRPC and the two uvicorn servers on one event loop, print one "ready" line.
SIGTERM/SIGINT: refuse new telemetry (503), wait until every accepted item is stored (giving up
after PYFLARE_SERVE_DRAIN_SECONDS without progress; what is left is logged with its count and the
exit code is 1), flush, close, exit 0. A second signal exits at once, saying how many items were not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from webapp.serve.settings import ServeSettings
from workers.env import default_django_settings, set_default

log = logging.getLogger("pyflare.serve")


def _listen(host: str, port: int, what: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen for {what} on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(1024)
    return sock


def _lock_data_dir(path: Path) -> TextIO:
    """Hold an exclusive lock on the data directory for the life of the process (chdb allows one user)."""
    lock = open(path / "serve.lock", "a+")  # noqa: SIM115 (held open until exit)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        owner = lock.read().strip() or "unknown"
        lock.close()
        raise OSError(f"another pyflare serve (pid {owner}) is using the data directory {path}") from None
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Any) -> None:
    loop.call_soon_threadsafe(callback)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass
class _Parts:
    """Everything `_serve` runs, made before the event loop starts."""

    settings: ServeSettings
    storage: Any
    client: Any
    queue: Any
    receiver: Any
    grpc: Any
    sockets: dict[str, socket.socket]
    started: float


def run_serve(settings: ServeSettings) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    started = time.monotonic()
    default_django_settings()
    # One process: Celery tasks run here (eagerly) unless the operator chose otherwise explicitly.
    set_default("PYFLARE_CELERY_EAGER", "true")
    if settings.host not in ("0.0.0.0", "::"):  # on every interface, which address others use is unknown
        set_default("PYFLARE_PUBLIC_URL", _url(settings.host, settings.port))  # notifications link back here
    from workers.storage.datadir import data_dir

    data_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        lock = _lock_data_dir(data_dir())
        sockets = {
            "web": _listen(settings.host, settings.port, "the web app"),
            "otlp": _listen(settings.host, settings.otlp_http_port, "OTLP/HTTP"),
        }
    except OSError as exc:
        print(f"pyflare serve: {exc}", file=sys.stderr)
        return 2

    import django

    django.setup()
    from webapp.projects.bootstrap import BootstrapError
    from webapp.serve.intake import IntakeQueue
    from webapp.serve.otlp_grpc import grpc_server
    from webapp.serve.receiver import OtlpReceiver
    from webapp.serve.startup import exporter_settings, intake_keys, prepare_control_plane, prepare_storage
    from workers.env import SettingError
    from workers.ingest.settings import SIGNAL_TOPICS
    from workers.storage.clickhouse import StorageSettings

    try:
        first_start = prepare_control_plane()
        keys = intake_keys(settings)
    except (BootstrapError, SettingError) as exc:
        print(f"pyflare serve: {exc}", file=sys.stderr)
        return 2
    announcement = first_start.announcement()
    if first_start.ingest_key is not None:
        announcement += "\n" + exporter_settings(first_start.ingest_key, _url(settings.host, settings.otlp_http_port))
    storage = StorageSettings.from_env()
    client, applied = prepare_storage(storage)
    if applied:
        log.info("applied ClickHouse migrations: %s", ", ".join(applied))
    if announcement:
        print(announcement, flush=True)

    queue = IntakeQueue(settings.queue_items, SIGNAL_TOPICS)
    receiver = OtlpReceiver(queue, keys=keys, keyless_project=settings.keyless_project,
                            retry_after_seconds=settings.retry_after_seconds,
                            ack_timeout_seconds=settings.ack_timeout_seconds)
    try:
        grpc = grpc_server(receiver, host=settings.host, port=settings.otlp_grpc_port,
                           workers=settings.grpc_workers, max_message_bytes=settings.max_body_bytes)
    except OSError as exc:
        print(f"pyflare serve: {exc}", file=sys.stderr)
        return 2
    parts = _Parts(settings, storage, client, queue, receiver, grpc, sockets, started)
    try:
        return asyncio.run(_serve(parts))
    finally:
        lock.close()


class _Server:
    """A uvicorn server whose signals are PyFlare's: the process drains the queue before stopping."""

    def __init__(self, app: Any, **config: Any) -> None:
        import uvicorn

        class _Quiet(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield

        self.server = _Quiet(uvicorn.Config(app, lifespan="off", access_log=False, log_level="warning",
                                            timeout_graceful_shutdown=10, **config))

    async def serve(self, sock: socket.socket) -> None:
        await self.server.serve(sockets=[sock])

    @property
    def started(self) -> bool:
        return bool(self.server.started)

    def stop(self) -> None:
        self.server.should_exit = True


async def _serve(p: _Parts) -> int:
    from webapp.asgi import application
    from webapp.realtime.publisher import LayerPublisher
    from webapp.serve.deadletters import FileDeadLetters
    from webapp.serve.ingest import EmbeddedIngest
    from webapp.serve.otlp_http import OtlpHttpApp
    from webapp.serve.startup import register_serve_checks
    from webapp.serve.static import StaticFilesHandler
    from workers.ingest.sink import StorageSink
    from workers.storage.clickhouse import disconnect, open_client
    from workers.storage.datadir import data_dir
    from workers.storage.vectors import vector_store_from_env
    from workers.storage.writer import ClickHouseWriter
    from workers.telemetry.batches import NormaliseOptions

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals: list[int] = []

    def on_signal(signum: int) -> None:
        signals.append(signum)
        if len(signals) == 1:
            log.info("received %s: refusing new telemetry, storing the %d accepted items not yet stored",
                     signal.Signals(signum).name, p.queue.unstored_items)
            stop.set()
        else:
            print(f"pyflare serve: forced exit; {p.queue.unstored_items} accepted items were not stored",
                  file=sys.stderr, flush=True)
            os._exit(1)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)

    vectors = vector_store_from_env()
    # Ingest writes on a client nobody else uses: a chdb client serialises its calls, so a long
    # API query or periodic job on a shared one would hold back every insert.
    ingest_client = open_client(p.storage)
    storage = StorageSink(ClickHouseWriter(ingest_client), vectors)
    dead_letters = FileDeadLetters(data_dir() / "dead_letters" / "otlp.jsonl",
                                   on_send=lambda m, reason: p.queue.reject(m.topic, m.offset, reason))
    ingest = EmbeddedIngest(p.queue, storage, dead_letters, options=NormaliseOptions.from_env(),
                            batch_rows=p.settings.batch_rows, batch_seconds=p.settings.batch_seconds,
                            on_failure=lambda: _call_soon(loop, stop.set), publish=LayerPublisher(loop=loop))
    register_serve_checks(p.client, p.storage, p.queue, lambda: ingest.alive,
                          lambda: ingest.loop.write_problem(p.settings.ack_timeout_seconds))
    import workers.celery  # noqa: F401 (configures Celery: tasks run eagerly in this process)
    from workers.schedule import EmbeddedBeat

    beat = EmbeddedBeat()  # the periodic jobs (budgets, rollup, drift monitors) in this process
    ingest.start()
    beat.start()
    p.grpc.start()
    web = _Server(StaticFilesHandler(application), ws="websockets-sansio")
    otlp = _Server(OtlpHttpApp(p.receiver, max_body_bytes=p.settings.max_body_bytes,
                               cors_origins=p.settings.cors_origins), ws="none")
    servers = [asyncio.create_task(web.serve(p.sockets["web"])), asyncio.create_task(otlp.serve(p.sockets["otlp"]))]
    while not (web.started and otlp.started) and not any(t.done() for t in servers):
        await asyncio.sleep(0.005)

    s = p.settings
    if web.started and otlp.started:
        print(
            f"PyFlare ready in {time.monotonic() - p.started:.2f}s: web {_url(s.host, s.port)}/ "
            f"(API {_url(s.host, s.port)}/api/v1/, docs {_url(s.host, s.port)}/api/v1/docs/), "
            f"OTLP/HTTP {_url(s.host, s.otlp_http_port)}, OTLP/gRPC {s.host}:{s.otlp_grpc_port}, data {data_dir()}",
            flush=True,
        )
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait([stopper, *servers], return_when=asyncio.FIRST_COMPLETED)

    # Drain: refuse new telemetry, store everything accepted (waiting clients get their 200).
    await asyncio.to_thread(beat.stop, 30)
    lost = await asyncio.to_thread(ingest.drain, p.settings.drain_seconds)
    p.grpc.stop(grace=5).wait()
    for server in (web, otlp):
        server.stop()
    await asyncio.gather(*servers, return_exceptions=True)
    if not ingest.alive:  # a write still running holds the engine: leave it to process exit
        vectors.close()
        if ingest_client is not p.client:
            ingest_client.close()
        disconnect(p.storage)
    crashed = ingest.failed or any(t.done() and t.exception() for t in servers)
    log.info("stopped: %d items accepted, %d not stored, %d requests throttled",
             p.queue.accepted_items, p.queue.unstored_items, p.queue.refused_requests)
    return 1 if crashed or lost or not signals else 0
