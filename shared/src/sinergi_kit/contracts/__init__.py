"""Event contracts: the only code services share about each other.

Every event type is a pydantic model registered under its subject,
``sinergi.<service>.<aggregate>.<verb>.v<major>``. A breaking change is a new ``.v2`` model.
"""

from sinergi_kit.contracts import events as events
from sinergi_kit.contracts import factcheck as factcheck
from sinergi_kit.contracts import notify as notify
from sinergi_kit.contracts import segments as segments
from sinergi_kit.contracts.base import EventContract, contract_for, registered_contracts
from sinergi_kit.contracts.registry import AccountRegisteredV1, AccountState

__all__ = [
    "AccountRegisteredV1",
    "AccountState",
    "EventContract",
    "contract_for",
    "registered_contracts",
]
