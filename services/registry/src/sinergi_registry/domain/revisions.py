"""Revising a versioned state: a change bumps the version only when something changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

State = TypeVar("State", bound=BaseModel)


def revise(state: State, changes: dict[str, Any], at: datetime) -> tuple[State, list[str]]:
    """``state`` with ``changes`` applied (validated), and the names of the fields that really
    changed; with none, ``state`` itself."""
    current = state.model_dump()
    candidate = type(state).model_validate(current | changes).model_dump()
    changed = sorted(name for name in changes if candidate[name] != current[name])
    if not changed:
        return state, []
    revised = type(state).model_validate(
        candidate | {"version": current["version"] + 1, "updated_at": at}
    )
    return revised, changed
