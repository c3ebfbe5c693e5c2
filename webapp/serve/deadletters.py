"""Dead letters of the embedded mode: one JSON line per undecodable request in the data directory.

Each line keeps the reason, the queue topic and offset, and the payload (base64) so nothing is lost;
the waiting client is told the reason too (`IntakeQueue.reject`).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from workers.ingest.ports import SourceMessage


class FileDeadLetters:
    def __init__(self, path: Path, on_send: Callable[[SourceMessage, str], None] | None = None) -> None:
        self.path = path
        self._on_send = on_send
        self._lines: list[str] = []
        self._lock = threading.Lock()

    def send(self, message: SourceMessage, reason: str) -> None:
        line = json.dumps({
            "time": time.time(),
            "reason": reason,
            "topic": message.topic,
            "offset": message.offset,
            "payload_base64": base64.b64encode(message.value).decode("ascii"),
        })
        with self._lock:
            self._lines.append(line)
        if self._on_send is not None:
            self._on_send(message, reason)

    def flush(self) -> None:
        with self._lock:
            lines, self._lines = self._lines, []
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
            f.flush()
            os.fsync(f.fileno())
