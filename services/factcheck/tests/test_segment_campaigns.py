"""Amplification by registry segment, on SQLite and PostgreSQL: factcheck's own projection of
the registry (fed here through the consumer's handlers) is evaluated with the shared segment
filter at launch; the membership is the campaign's, whatever the segment becomes later."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sinergi_factcheck.domain.audience import share_audience
from sinergi_factcheck.service_layer import directory
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_kit.contracts.base import EventContract
from sinergi_kit.contracts.registry import (
    AccountRegisteredV1,
    AccountState,
    PersonErasedV1,
    PersonRegisteredV1,
    PersonState,
)
from sinergi_kit.contracts.segments import SegmentCreatedV1, SegmentFilter, SegmentState
from sinergi_kit.envelope import Envelope

from .support import Api, run_with_factcheck
from .test_http_exchange import published_case
from .test_http_workflow import KKD

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def account(managed_by: str, district: str, status: str = "verified") -> AccountState:
    return AccountState.model_validate(
        {
            "id": uuid4(),
            "version": 1,
            "platform": "instagram",
            "handle": f"akun_{uuid4().hex[:8]}",
            "display_name": "Akun Jombang",
            "managed_by": managed_by,
            "category": "government" if managed_by == "government" else "community",
            "district": district,
            "verification_status": status,
            "created_at": NOW,
            "updated_at": NOW,
        }
    )


def person(roles: list[str], managed: list[UUID]) -> PersonState:
    return PersonState.model_validate(
        {
            "id": uuid4(),
            "version": 1,
            "name": "Admin Akun",
            "roles": roles,
            "managed_account_ids": managed,
            "created_at": NOW,
            "updated_at": NOW,
        }
    )


def segment(name: str, **criteria: Any) -> SegmentState:
    return SegmentState(
        id=uuid4(),
        version=1,
        name=name,
        filter=SegmentFilter.model_validate(criteria),
        created_at=NOW,
        updated_at=NOW,
    )


def test_the_audience_is_the_segment_without_suspended_accounts_unless_named() -> None:
    diwek, ploso, suspended = (
        account("government", "Diwek"),
        account("government", "Ploso"),
        account("government", "Diwek", status="suspended"),
    )
    citizen = account("independent", "Diwek")
    accounts = [diwek, ploso, suspended, citizen]
    admin = person(["account_admin"], [ploso.id])
    government = SegmentFilter(managed_by=["government"])
    assert {a.id for a in share_audience(government, accounts, [])} == {diwek.id, ploso.id}
    named = SegmentFilter(managed_by=["government"], verification_statuses=["suspended"])
    assert [a.id for a in share_audience(named, accounts, [])] == [suspended.id]
    admins = SegmentFilter(managed_by=["government"], roles=["account_admin"])
    assert [a.id for a in share_audience(admins, accounts, [admin])] == [ploso.id]


def _project(api: Api, events: list[EventContract]) -> None:
    async def scenario(fc: Factcheck) -> None:
        async with fc.uow() as uow:
            for event in events:
                handler = directory.REGISTRY_SUBSCRIPTION.batch_handlers[event.event_type]
                await handler(uow, [(Envelope.wrap(event), event)])

    run_with_factcheck(api.database_url, scenario)


def test_a_campaign_aimed_at_a_segment_snapshots_its_members_at_launch(api: Api) -> None:
    _, clarification_id = published_case(api)
    opd = [account("government", d) for d in ("Diwek", "Ploso", "Mojoagung")]
    citizen = account("independent", "Diwek")
    admin = person(["account_admin"], [opd[0].id])
    government = segment("Akun OPD", managed_by=["government"])
    _project(
        api,
        [
            *(AccountRegisteredV1(account=a) for a in [*opd, citizen]),
            PersonRegisteredV1(person=admin),
            SegmentCreatedV1(segment=government),
        ],
    )
    kkd = api.as_(KKD)
    launched = api.client.post(
        f"/clarifications/{clarification_id}/campaigns",
        json={
            "targets": [
                {"segment_id": str(government.id)},
                {"segment": "Warga", "account_ids": [str(citizen.id), str(opd[1].id)]},
            ]
        },
        headers=kkd,
    )
    assert launched.status_code == 201, launched.text
    tasks = launched.json()["tasks"]
    assert {(t["account_id"], t["segment"], t["segment_id"]) for t in tasks} == {
        *((str(a.id), "Akun OPD", str(government.id)) for a in opd),
        (str(citizen.id), "Warga", None),
    }
    later = account("government", "Gudo")
    _project(
        api,
        [
            AccountRegisteredV1(account=later),
            PersonErasedV1(person_id=admin.id, version=2, erased_at=NOW),
        ],
    )
    campaign_id = launched.json()["id"]
    progress = api.client.get(f"/campaigns/{campaign_id}/progress", headers=kkd).json()
    assert {s["segment"]: s["tasks"] for s in progress["segments"]} == {"Akun OPD": 3, "Warga": 1}

    unknown = api.client.post(
        f"/clarifications/{clarification_id}/campaigns",
        json={"targets": [{"segment_id": str(uuid4())}]},
        headers=kkd,
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "segment_not_found"
    both = api.client.post(
        f"/clarifications/{clarification_id}/campaigns",
        json={"targets": [{"segment_id": str(government.id), "account_ids": [str(uuid4())]}]},
        headers=kkd,
    )
    assert both.status_code == 422

    async def erased_state(fc: Factcheck) -> Any:
        async with fc.db.read() as session:
            return [p.id for p in await directory.people(session)]

    assert run_with_factcheck(api.database_url, erased_state) == []
