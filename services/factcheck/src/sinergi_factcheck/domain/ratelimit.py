"""Token buckets: ``capacity`` requests at once, refilled at ``per_minute``."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """One bucket per key (a client address, a contact), the least recently used forgotten
    beyond ``max_keys`` so memory stays bounded under a flood of new keys."""

    def __init__(self, per_minute: float, capacity: float, max_keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.capacity = capacity
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str, now: float) -> float:
        """0 if allowed (a token is spent); else the seconds until one is available."""
        bucket = self._buckets.pop(key, None) or _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self._buckets[key] = bucket
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate else float("inf")
