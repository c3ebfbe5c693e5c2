"""Times as the receivers write them: RFC 3339 in UTC with a `Z`, Alertmanager's zero time for
"not ended"."""

from __future__ import annotations

from datetime import UTC, datetime

ZERO_TIME = "0001-01-01T00:00:00Z"  # Alertmanager's endsAt of a firing alert


def rfc3339(epoch: float | None) -> str:
    if epoch is None:
        return ZERO_TIME
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
