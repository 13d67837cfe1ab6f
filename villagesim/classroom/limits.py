"""Rate limits: a token bucket per key (a client address or a team), with a bounded number of keys.

Examples
--------
>>> limit = RateLimit(capacity=2, per_second=1.0)
>>> [limit.allow("10.0.0.7", now=0.0) for _ in range(3)]
[True, True, False]
>>> limit.allow("10.0.0.7", now=1.0), limit.retry_after("10.0.0.7", now=1.0)
(True, 1)
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

MAX_KEYS = 10_000


class RateLimit:
    """At most ``capacity`` requests at once per key, refilled at ``per_second``."""

    def __init__(self, capacity: float, per_second: float):
        self.capacity, self.per_second = float(capacity), float(per_second)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, time)
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - then) * self.per_second)

    def allow(self, key: str, now: float | None = None) -> bool:
        """Take one token for ``key`` if it has one."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens = self._level(key, now)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > MAX_KEYS:  # the least recently seen keys go first
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Whole seconds until ``key`` has a token again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            missing = 1.0 - self._level(key, now)
        return max(1, math.ceil(missing / self.per_second)) if missing > 0 else 0
