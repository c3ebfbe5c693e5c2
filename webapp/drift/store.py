"""Saving references to the control DB and loading them back, with per-process caches.

A reference is written once and never changed, so its unpacked form (and the test summaries built
from it, whose derived arrays such as prefix sums are cached on the summary) can be kept in memory
keyed by its id: a window then costs only the current data's work. Only the newest KEEP_REFERENCES
of a monitor are kept in the database.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from webapp.drift.models import DriftMonitor, DriftReference
from workers.analysis.drift.monitor.cache import LruCache
from workers.analysis.drift.monitor.codec import pack, unpack
from workers.analysis.drift.monitor.reference_set import ReferenceSet

KEEP_REFERENCES = 5


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
