"""case.overdue from factcheck reaches the verifiers of the organisation the case is assigned
to — not its other staff, and nobody for a case not assigned yet."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sinergi_kit.contracts.factcheck import CaseFlags, CaseOverdueV1, CaseState
from sinergi_kit.ids import new_id
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.testing import DAYTIME

if TYPE_CHECKING:
    from conftest import NotifyFactory


def overdue(organization_id: UUID | None) -> CaseOverdueV1:
    opened = DAYTIME - timedelta(hours=13)
    return CaseOverdueV1(
        case=CaseState(
            id=new_id(),
            version=3,
            status="investigating",
            claim="KPU menghapus pemilih yang tidak mencoblos dari DPT",
            urgency="high",
            flags=CaseFlags(election=True),
            report_count=4,
            assignee="verifikator-kpu",
            organization_id=organization_id,
            due_at=opened + timedelta(hours=12),
            opened_at=opened,
            updated_at=opened,
        ),
        time_limit_hours=12,
        detected_at=DAYTIME,
    )


async def test_an_overdue_case_reaches_the_verifiers_of_its_organisation(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    kpu = new_id()
    await notify.person(email="verifikator@kpu.example.id", roles=["verifier"], organization_id=kpu)
    await notify.person(email="humas@kpu.example.id", roles=["liaison"], organization_id=kpu)
    await notify.deliver(overdue(kpu))
    await notify.deliver(overdue(None))
    await notify.sender().drain()
    sent = [(m.rcpt_tos[0], m.parsed()["Subject"]) for m in smtp.store.messages()]
    assert sent == [
        (
            "verifikator@kpu.example.id",
            "Kasus melewati batas waktu: KPU menghapus pemilih yang tidak mencoblos dari DPT",
        )
    ]
    [message] = smtp.store.messages()
    assert "batas waktu 12 jam" in message.parsed().get_body(("plain",)).get_content()
