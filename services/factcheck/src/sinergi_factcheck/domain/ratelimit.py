"""Token buckets: ``capacity`` requests at once, refilled at ``per_minute``. Pure arithmetic;
the buckets themselves live in the database so every replica spends from the same ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    per_minute: float
    capacity: float

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at: float
    """When ``tokens`` was counted (seconds, Unix time)."""

    @staticmethod
    def full(rate: Rate, now: float) -> Bucket:
        return Bucket(rate.capacity, now)

    def take(self, rate: Rate, now: float) -> tuple[Bucket, float]:
        """The bucket after one request at ``now``, and 0 if it was allowed (a token spent),
        else the seconds until a token is available."""
        tokens = min(rate.capacity, self.tokens + max(0.0, now - self.at) * rate.per_second)
        if tokens >= 1:
            return Bucket(tokens - 1, now), 0.0
        return Bucket(tokens, now), (1 - tokens) / rate.per_second

    def full_at(self, rate: Rate) -> float:
        """When the bucket is full again: from then on it is the same as no bucket."""
        return self.at + (rate.capacity - self.tokens) / rate.per_second
