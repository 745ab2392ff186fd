"""The vocabulary of notifications: channels, categories (named by the contracts, which
notify publishes), delivery states."""

from __future__ import annotations

from typing import Final, Literal, get_args

from sinergi_kit.contracts.notify import Category as Category
from sinergi_kit.contracts.notify import Channel as Channel

CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)
CATEGORIES: Final[tuple[Category, ...]] = get_args(Category)

State = Literal[
    "pending",  # waiting for its turn
    "held",  # waiting for the recipient's digest
    "bundled",  # went out inside a digest
    "deferred",  # quiet hours: waits until they end
    "sending",  # leased by a sender; the attempt is recorded before the send
    "retrying",  # failed temporarily; waits for its backoff
    "sent",  # the provider accepted it
    "delivered",  # the provider reported delivery
    "read",  # the provider reported it read
    "failed",  # failed for good on this channel; the next channel took over
    "skipped",  # opted out, suppressed, expired, no consent or no address
    "dead",  # no channel and no retry left
    "cancelled",  # superseded: the event was cancelled or moved, the invitation revoked
]
STATES: Final[tuple[State, ...]] = get_args(State)
DUE_STATES: Final[tuple[State, ...]] = ("pending", "deferred", "retrying")
UNSENT_STATES: Final[tuple[State, ...]] = ("pending", "held", "deferred", "retrying")
RESENDABLE_STATES: Final[tuple[State, ...]] = (
    "dead",
    "failed",
    "skipped",
    "sent",
    "delivered",
    "read",
)

SkipReason = Literal["opted_out", "suppressed", "expired", "no_consent", "no_address", "erased"]
