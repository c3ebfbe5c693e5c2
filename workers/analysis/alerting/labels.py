"""An alert's identity is its label set: the fingerprint is a hash of the sorted pairs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

Labels = Mapping[str, str]

_SEP = b"\xff"  # cannot occur in UTF-8 text, so ("a", "bc") and ("ab", "c") hash apart


def fingerprint(labels: Labels) -> str:
    """16 hex digits identifying the label set, whatever the order of its pairs."""
    digest = hashlib.sha256()
    for name in sorted(labels):
        digest.update(name.encode())
        digest.update(_SEP)
        digest.update(labels[name].encode())
        digest.update(_SEP)
    return digest.hexdigest()[:16]
