"""Overdue alerts pushed, not only queried: a periodic check finds the open cases past the
time limit of their urgency and announces each one once, as ``case.overdue``.

The alert row (case, deadline) and the event's outbox row commit in one transaction, so a
crash or restart neither loses an alert nor repeats one; two replicas that find the same case
at once collide on the alert's key and one of them rolls back. A case whose deadline moves
(triaged to another urgency) is alerted again when it passes the new one."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from sinergi_factcheck.adapters.repository import case_from_row
from sinergi_factcheck.adapters.tables import audit, cases, overdue_alerts
from sinergi_factcheck.domain.cases import OPEN_STATUSES, time_limit
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.contracts.factcheck import CaseOverdueV1
from sinergi_kit.ids import new_id
from sinergi_kit.logging import get_logger
from sinergi_kit.runtime import ServiceRuntime

log = get_logger(__name__)

BATCH = 200


async def _alert_batch(fc: Factcheck, now: datetime) -> int:
    not_alerted = and_(
        overdue_alerts.c.case_id == cases.c.id, overdue_alerts.c.due_at == cases.c.due_at
    )
    query = (
        select(cases)
        .outerjoin(overdue_alerts, not_alerted)
        .where(
            cases.c.status.in_(OPEN_STATUSES),
            cases.c.due_at < now,
            overdue_alerts.c.case_id.is_(None),
        )
        .order_by(cases.c.due_at, cases.c.id)
        .limit(BATCH)
    )
    async with fc.uow() as uow:
        rows = (await uow.session.execute(query)).all()
        if not rows:
            return 0
        await uow.session.execute(
            overdue_alerts.insert(),
            [{"case_id": row.id, "due_at": row.due_at, "alerted_at": now} for row in rows],
        )
        await uow.session.execute(
            audit.insert(),
            [
                {
                    "id": new_id(),
                    "case_id": row.id,
                    "at": now,
                    "actor": "system",
                    "action": "overdue_alerted",
                    "detail": {"due_at": as_utc(row.due_at).isoformat()},
                }
                for row in rows
            ],
        )
        for row in rows:
            case = case_from_row(row)
            limit = time_limit(case.urgency, case.flags)
            uow.emit(
                CaseOverdueV1(
                    case=case.state(),
                    time_limit_hours=limit.total_seconds() / 3600,
                    detected_at=now,
                )
            )
    log.info("factcheck.overdue_alerted", cases=len(rows))
    return len(rows)


async def alert_overdue(fc: Factcheck, now: datetime) -> int:
    """Announce every open case past its deadline not announced yet; how many were."""
    alerted = 0
    while True:
        try:
            found = await _alert_batch(fc, now)
        except IntegrityError:  # the next check takes what the other replica left
            log.info("factcheck.overdue_taken_by_another_replica")
            return alerted
        alerted += found
        if found < BATCH:
            return alerted


async def run_overdue_alerts(runtime: ServiceRuntime) -> None:
    """The background task of the service (see ``ServiceDefinition.background``)."""
    settings = runtime.settings
    assert isinstance(settings, FactcheckSettings)
    fc = Factcheck(runtime.uow, runtime.db, settings)
    while True:
        try:
            await alert_overdue(fc, utcnow())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("factcheck.overdue_check_failed")
        await asyncio.sleep(settings.overdue_check_interval_s)
