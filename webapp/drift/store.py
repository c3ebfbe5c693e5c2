"""Saving references to the control DB and loading them back, with per-process caches.

A reference is written once and never changed, so its unpacked form (and the test summaries built
from it, whose derived arrays such as prefix sums are cached on the summary) can be kept in memory
keyed by its id: a window then costs only the current data's work. Only the newest KEEP_REFERENCES
of a monitor are kept in the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction

from webapp.drift.codec import pack, unpack
from webapp.drift.models import DriftMonitor, DriftReference
from webapp.drift.reference_set import ReferenceSet

KEEP_REFERENCES = 5
T = TypeVar("T")


class LruCache:
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


REFERENCE_SETS = LruCache(16)


def save_reference(
    monitor: DriftMonitor,
    reference: ReferenceSet,
    source: str,
    created_by: str,
    window: tuple[datetime, datetime] | None = None,
) -> DriftReference:
    """Store `reference` and make it the monitor's active one; older ones beyond KEEP_REFERENCES go."""
    manifest, blob = pack(reference.to_tree())
    with transaction.atomic():
        stored = DriftReference.objects.create(
            monitor=monitor,
            source=source,
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
            created_by=created_by[:300],
            row_count=reference.row_count,
            manifest=manifest,
            arrays=blob,
            size_bytes=len(blob),
        )
        DriftMonitor.objects.filter(pk=monitor.pk).update(reference=stored)
        monitor.reference = stored
        stale = monitor.references.order_by("-created_at", "-id").values_list("pk", flat=True)[KEEP_REFERENCES:]
        DriftReference.objects.filter(pk__in=list(stale)).delete()
    return stored


def reference_key(stored: DriftReference) -> str:
    """Identifies a stored reference for the caches (the time guards against a reused primary key)."""
    return f"{stored.pk}@{stored.created_at.isoformat() if stored.created_at else ''}"


def load_reference(stored: DriftReference) -> ReferenceSet:
    return REFERENCE_SETS.get(
        ("reference", reference_key(stored)), lambda: ReferenceSet.from_tree(unpack(stored.manifest, stored.arrays))
    )
