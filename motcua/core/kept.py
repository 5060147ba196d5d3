"""What a worker process keeps for a short while: reference rows it read, checks it made.

Each worker keeps its own copy; a change reaches the other workers when their copy
expires. Callers drop everything at once when a change is saved in their own process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """Values by key, each kept until its own deadline on the monotonic clock."""

    def __init__(self, max_entries: int = 2000) -> None:
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self.forget(key)
            return None
        return entry[1]

    def keep(self, key: Hashable, value: V, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + seconds, value)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
