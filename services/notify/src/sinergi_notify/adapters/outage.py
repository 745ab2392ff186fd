"""Telling a database that is briefly unavailable from a statement that is wrong."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATE classes of a server going away or refusing connections: connection exception,
# operator intervention (terminated backend, shutdown, starting up), insufficient resources,
# and a database that does not accept connections for now.
_UNAVAILABLE_CLASSES = ("08", "57", "53")
_UNAVAILABLE_STATES = ("55000",)


def _sqlstate(exc: BaseException) -> str | None:
    for candidate in (exc, getattr(exc, "orig", None)):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str):
            return state
    return None


def database_unavailable(exc: BaseException) -> bool:
    """True when trying again later may succeed: the connection broke or could not be made."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    state = _sqlstate(exc)
    return state is not None and (
        state.startswith(_UNAVAILABLE_CLASSES) or state in _UNAVAILABLE_STATES
    )
