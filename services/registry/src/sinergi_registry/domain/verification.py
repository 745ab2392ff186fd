"""The verification state machine of an account:
pending → verified → suspended → verified …, and any state but retired → retired."""

from __future__ import annotations

from datetime import datetime

from sinergi_kit.contracts.registry import AccountState, VerificationChange, VerificationStatus

TRANSITIONS: dict[VerificationStatus, frozenset[VerificationStatus]] = {
    "pending": frozenset({"verified", "retired"}),
    "verified": frozenset({"suspended", "retired"}),
    "suspended": frozenset({"verified", "retired"}),
    "retired": frozenset(),
}


class IllegalTransitionError(ValueError):
    def __init__(self, current: VerificationStatus, wanted: VerificationStatus) -> None:
        super().__init__(f"{current} → {wanted}")
        self.current = current
        self.wanted = wanted


def transition(
    account: AccountState, to: VerificationStatus, *, by: str, reason: str, at: datetime
) -> tuple[AccountState, VerificationChange]:
    """The account after a legal transition, and the record of who, why and when."""
    if to not in TRANSITIONS[account.verification_status]:
        raise IllegalTransitionError(account.verification_status, to)
    change = VerificationChange(
        from_status=account.verification_status, to_status=to, by=by, reason=reason, at=at
    )
    changed = account.model_copy(
        update={
            "verification_status": to,
            "last_verification": change,
            "version": account.version + 1,
            "updated_at": at,
        }
    )
    return changed, change
