"""What every use case shares: who acts and within which scope, the audit log, version
checks, and idempotent creation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.http.conditional import precondition_failed
from sinergi_kit.http.idempotency import IdempotentRequest
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork, UnitOfWorkFactory
from sinergi_registry.adapters.tables import audit_log, idempotency_keys
from sinergi_registry.domain.revisions import State, revise
from sinergi_registry.service_layer import messages as messages

SYSTEM = Principal("system", frozenset())
"""The actor of command-line jobs such as the demo data loader."""


def check_scope(actor: Principal, organization_id: UUID | None) -> None:
    """A user scoped to an organisation (a partner body) may only change its records."""
    if actor.organization_id is not None and organization_id != actor.organization_id:
        raise ProblemError(403, "out_of_scope", detail_key="registry.out_of_scope")


def check_version(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise precondition_failed(current)


async def audit(
    uow: UnitOfWork,
    actor: Principal,
    action: str,
    resource_type: str,
    resource_id: UUID | str,
    fields: Iterable[str] = (),
) -> None:
    """Who changed what: the names of the fields, never their values (a person's values are
    personal data and the log outlives erasure)."""
    await uow.session.execute(
        audit_log.insert().values(
            id=new_id(),
            at=utcnow(),
            actor=actor.subject,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            fields=sorted(fields),
        )
    )


def revise_or_problem(state: State, changes: dict[str, Any]) -> tuple[State, list[str]]:
    try:
        return revise(state, changes, utcnow())
    except ValidationError as exc:
        errors = [
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        raise ProblemError(
            422, "validation_failed", detail_key="problem.validation", errors=errors
        ) from exc


async def audit_many(
    uow: UnitOfWork, actor: Principal, action: str, resource_type: str, ids: list[UUID]
) -> None:
    if ids:
        now = utcnow()
        await uow.session.execute(
            audit_log.insert(),
            [
                {
                    "id": new_id(),
                    "at": now,
                    "actor": actor.subject,
                    "action": action,
                    "resource_type": resource_type,
                    "resource_id": str(resource_id),
                    "fields": [],
                }
                for resource_id in ids
            ],
        )


@dataclass(frozen=True)
class Created:
    body: str
    location: str
    replayed: bool = False


async def create_once(
    uow_factory: UnitOfWorkFactory,
    idempotency: IdempotentRequest | None,
    make: Callable[[UnitOfWork], Awaitable[BaseModel]],
    location: Callable[[str], str],
) -> Created:
    """Run a creating use case in one unit of work; with an Idempotency-Key, a retry returns
    the first response instead of creating again."""
    async with uow_factory() as uow:
        if idempotency is not None:
            stored = await idempotency.recall(uow.session, idempotency_keys)
            if stored is not None:
                return Created(stored.body, stored.location or "", replayed=True)
        state = await make(uow)
        body = state.model_dump_json()
        where = location(str(getattr(state, "id", "")))
        if idempotency is not None:
            await idempotency.remember(
                uow.session, idempotency_keys, status=201, body=body, location=where
            )
    return Created(body, where)
