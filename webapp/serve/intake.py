"""The bounded in-process queue between the OTLP receivers and the ingest loop.

Capacity counts items (spans, data points, log records) that were accepted and are not yet
stored. A request is acknowledged only when the ingest loop commits it, i.e. after the batch that
holds it was written, so an OTLP 200 means "stored" (the Kafka delivery rule, in one process).
The queue is the loop's `MessageSource`: offsets are per-topic sequence numbers, commit = stored.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass

from workers.ingest.ports import SourceMessage

QUEUE_PARTITION = -1  # rows from the queue carry no Kafka partition (source_partition = -1)


class QueueFull(Exception):
    """Accepting the request would exceed the capacity; the client should retry later."""


class IntakeClosed(Exception):
    """The process is shutting down and accepts nothing new."""


class PayloadRejected(Exception):
    """The ingest loop could not decode an accepted request (it went to the dead letters)."""


@dataclass
class _Ticket:
    offset: int
    items: int
    future: Future[None]
    rejection: str | None = None


class IntakeQueue:
    def __init__(self, capacity_items: int, topics: Iterable[str], *, max_poll_messages: int = 1024) -> None:
        if capacity_items < 1:
            raise ValueError(f"queue capacity must be at least 1 item, got {capacity_items}")
        self.capacity = capacity_items
        self._max_poll = max_poll_messages
        self._cond = threading.Condition()
        self._ready: deque[SourceMessage] = deque()
        self._unstored: dict[str, deque[_Ticket]] = {t: deque() for t in topics}
        self._next_offset: dict[str, int] = dict.fromkeys(self._unstored, 0)
        self._items = 0
        self._closed = False
        self.accepted_items = 0
        self.refused_requests = 0
        self.last_poll_empty = True  # the ingest side flushes when a poll found nothing new

    # -- receiver side -------------------------------------------------------------------------
    def offer(self, topic: str, payload: bytes, items: int) -> Future[None]:
        """Queue one request of `items` items; the future completes once it is stored.

        A request larger than the whole capacity is still taken when nothing else waits, so it
        cannot be refused forever.
        """
        future: Future[None] = Future()
        with self._cond:
            if self._closed:
                raise IntakeClosed("PyFlare is shutting down and accepts no new telemetry")
            if self._items and self._items + items > self.capacity:
                self.refused_requests += 1
                raise QueueFull(
                    f"intake queue full: {self._items} of {self.capacity} items wait to be stored, "
                    f"this request has {items}"
                )
            offset = self._next_offset[topic]
            self._next_offset[topic] = offset + 1
            self._unstored[topic].append(_Ticket(offset, items, future))
            self._ready.append(SourceMessage(topic, QUEUE_PARTITION, offset, payload))
            self._items += items
            self.accepted_items += items
            self._cond.notify_all()
        return future

    def close(self) -> None:
        """Refuse new requests from now on; what was accepted is still stored."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def unstored_items(self) -> int:
        return self._items

    def wait_stored(self, timeout: float | None = None) -> bool:
        """Block until every accepted item is stored (or the timeout passes); True when drained."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._items:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining if remaining is not None else 1.0)
            return True

    # -- MessageSource side (the ingest loop) ------------------------------------------------------
    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        with self._cond:
            if not self._ready:
                self._cond.wait(timeout_ms / 1000)
            taken: list[SourceMessage] = []
            while self._ready and len(taken) < self._max_poll:
                taken.append(self._ready.popleft())
            self.last_poll_empty = not taken
            return taken

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        done: list[_Ticket] = []
        with self._cond:
            for (topic, _partition), next_offset in offsets.items():
                waiting = self._unstored[topic]
                while waiting and waiting[0].offset < next_offset:
                    ticket = waiting.popleft()
                    self._items -= ticket.items
                    done.append(ticket)
            self._cond.notify_all()
        for ticket in done:  # outside the lock: completing a future runs its callbacks
            try:
                if ticket.rejection is None:
                    ticket.future.set_result(None)
                else:
                    ticket.future.set_exception(PayloadRejected(ticket.rejection))
            except InvalidStateError:
                pass  # the receiver gave up waiting (it answered 503 and the client retries)

    def reject(self, topic: str, offset: int, reason: str) -> None:
        """Mark an accepted request as undecodable; its waiting client gets the reason at commit."""
        with self._cond:
            for ticket in self._unstored.get(topic, ()):
                if ticket.offset == offset:
                    ticket.rejection = reason
                    return
