"""Prometheus metrics every service exposes on /metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import Counter, Gauge, Histogram


@dataclass(frozen=True)
class _Metrics:
    published: Counter = field(
        default_factory=lambda: Counter(
            "sinergi_events_published", "Outbox events confirmed by JetStream", ["service"]
        )
    )
    consumed: Counter = field(
        default_factory=lambda: Counter(
            "sinergi_events_consumed", "Events applied by a consumer", ["consumer"]
        )
    )
    skipped_duplicates: Counter = field(
        default_factory=lambda: Counter(
            "sinergi_events_duplicate_skipped",
            "Events already in the inbox, acknowledged and skipped",
            ["consumer"],
        )
    )
    redelivered: Counter = field(
        default_factory=lambda: Counter(
            "sinergi_events_redelivered", "Events handed back for a delayed retry", ["consumer"]
        )
    )
    dead_lettered: Counter = field(
        default_factory=lambda: Counter(
            "sinergi_events_dead_lettered",
            "Events moved to the dead-letter table",
            ["consumer", "reason"],
        )
    )
    outbox_lag: Gauge = field(
        default_factory=lambda: Gauge(
            "sinergi_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"]
        )
    )
    handler_latency: Histogram = field(
        default_factory=lambda: Histogram(
            "sinergi_handler_seconds",
            "Time to apply one batch of events in one transaction",
            ["consumer"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
    )


METRICS = _Metrics()
