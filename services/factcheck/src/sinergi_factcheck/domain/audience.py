"""Which registered accounts a campaign asks to share: a registry segment, evaluated with the
shared segment filter on this service's projection of the registry."""

from __future__ import annotations

from collections.abc import Iterable

from sinergi_kit.contracts.registry import AccountState, PersonState
from sinergi_kit.contracts.segments import SegmentFilter, account_matches, person_matches

OUT_OF_NETWORK = frozenset({"suspended", "retired"})
"""Accounts asked to share only when the segment names these statuses itself."""


def share_audience(
    segment: SegmentFilter, accounts: Iterable[AccountState], people: Iterable[PersonState]
) -> list[AccountState]:
    """The accounts of the segment, in id order. When the segment also has person criteria
    (roles, consent), only accounts managed by a person who meets them."""
    by_id = {account.id: account for account in accounts}
    chosen = [
        account
        for account in by_id.values()
        if account_matches(segment, account)
        and (segment.verification_statuses or account.verification_status not in OUT_OF_NETWORK)
    ]
    if segment.roles or segment.consent_purpose is not None:
        managed = {
            account_id
            for person in people
            if person_matches(
                segment, person, (by_id[a] for a in person.managed_account_ids if a in by_id)
            )
            for account_id in person.managed_account_ids
        }
        chosen = [account for account in chosen if account.id in managed]
    return sorted(chosen, key=lambda account: account.id)
