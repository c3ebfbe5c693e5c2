"""The ingest loop of `pyflare serve` on its own thread, reading the intake queue.

Batches are group-committed: whenever a poll finds nothing new, whatever arrived is written at once
(clients wait for that write), and under a steady stream a batch grows until its row or age limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from webapp.serve.intake import IntakeQueue
from workers.ingest.notify import Publish
from workers.ingest.pipeline import BatchLimits, build_pipeline
from workers.ingest.ports import BatchWriter, DeadLetterSink
from workers.ingest.pricing import SpanPricing
from workers.ingest.settings import SIGNAL_TOPICS
from workers.telemetry.batches import NormaliseOptions

log = logging.getLogger("pyflare.serve")

POLL_TIMEOUT_MS = 20


class EmbeddedIngest:
    def __init__(
        self,
        queue: IntakeQueue,
        storage: BatchWriter,
        dead_letters: DeadLetterSink,
        *,
        options: NormaliseOptions,
        batch_rows: int,
        batch_seconds: float,
        on_failure: Callable[[], None] = lambda: None,
        pricing: SpanPricing | None = None,
        publish: Publish | None = None,
    ) -> None:
        """`storage` stores decoded batches; the pipeline prices them, keeps logged GenAI content and
        announces stored traces through `publish` (the web server's Channels layer) on the way."""
        self.queue = queue
        pipeline = build_pipeline(
            queue, storage, dead_letters, topics=SIGNAL_TOPICS, options=options,
            limits=BatchLimits(batch_rows, batch_seconds, POLL_TIMEOUT_MS), publish=publish, pricing=pricing,
        )  # fmt: skip
        self.pricing = pipeline.pricing
        self.loop = pipeline.loop
        self.failed = False
        self._on_failure = on_failure
        self._thread = threading.Thread(target=self._run, name="pyflare-ingest", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float | None = None) -> None:
        """Finish: the caller drains the queue first, so the last flush has everything."""
        self.loop.stop()
        self._thread.join(timeout)

    def drain(self, stall_seconds: float) -> int:
        """Close intake and store what was accepted, giving up once nothing was stored for
        `stall_seconds`; stop. Returns the accepted items left unstored (logged with the reason)."""
        self.queue.close()
        left = self.queue.unstored_items
        progress = time.monotonic()
        while self.alive and not self.queue.wait_stored(min(0.5, stall_seconds)):
            now = time.monotonic()
            if self.queue.unstored_items < left:  # a slow write path is waited for, a stuck one is not
                left, progress = self.queue.unstored_items, now
            elif now - progress >= stall_seconds:
                break
        lost = self.queue.unstored_items
        if lost:
            log.error("drain gave up after %gs without progress: %d accepted items were not stored (%s)",
                      stall_seconds, lost, self.loop.write_problem(0.0) or "the ingest loop did not catch up")
        self.stop(timeout=5.0)
        if self.alive:
            log.error("the ingest thread is still inside a write; exiting without waiting for it")
        return lost

    def _flush_when_idle(self) -> None:
        if self.queue.last_poll_empty:
            self.loop.flush_retrying()

    def _run(self) -> None:
        try:
            self.loop.run(idle_hook=self._flush_when_idle)
        except BaseException:
            self.failed = True
            log.exception("the ingest loop stopped unexpectedly; PyFlare shuts down")
            self._on_failure()
