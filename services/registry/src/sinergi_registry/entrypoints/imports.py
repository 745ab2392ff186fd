"""HTTP: bulk import from CSV or XLSX, and export to CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from sinergi_kit.auth import Reader, Writer
from sinergi_kit.contracts.registry import AccountState
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_kit.i18n import negotiate
from sinergi_registry.adapters.repository import AccountQuery, AccountRepository
from sinergi_registry.entrypoints.common import runtime
from sinergi_registry.service_layer.imports import ImportReport, run_import

router = APIRouter(tags=["import and export"], responses=PROBLEM_RESPONSES)

EXPORT_COLUMNS = (
    "id",
    "platform",
    "handle",
    "display_name",
    "url",
    "managed_by",
    "category",
    "district",
    "organization_id",
    "tags",
    "followers",
    "verification_status",
    "version",
)


@router.post(
    "/imports/{kind}",
    response_model=ImportReport,
    summary="Import accounts or people from a CSV (UTF-8, comma or semicolon) or XLSX file",
    description="Accounts: platform, handle (or profile URL), display_name, managed_by, "
    "category, district, organization, tags, followers, url. People: name, email, whatsapp, "
    "telegram, roles, organization, preferred_language, consents, consent_source, accounts "
    "(platform:handle; …). Indonesian headers (nama, kecamatan, organisasi, …) are accepted. "
    "The report lists each rejected row with the field and the reason.",
)
async def import_file(
    kind: Literal["accounts", "people"],
    request: Request,
    actor: Writer,
    file: Annotated[UploadFile, File(description="CSV or XLSX")],
    dry_run: Annotated[bool, Query(description="Check everything, change nothing")] = False,
) -> ImportReport:
    return await run_import(
        runtime(request).uow,
        kind,
        file.file,
        file.filename or "",
        actor,
        dry_run=dry_run,
        lang=negotiate(request.headers.get("accept-language")),
    )


def _csv_line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _export_values(account: AccountState) -> list[object]:
    data = account.model_dump(mode="json")
    data["tags"] = ";".join(account.tags)
    return ["" if data[c] is None else data[c] for c in EXPORT_COLUMNS]


@router.get(
    "/exports/accounts.csv",
    summary="Export accounts as CSV (importable again)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_accounts(request: Request, _: Reader) -> StreamingResponse:
    async with runtime(request).db.read() as session:
        accounts = await AccountRepository(session).matching(AccountQuery())

    async def lines() -> AsyncIterator[str]:
        yield "\ufeff" + _csv_line(list(EXPORT_COLUMNS))
        for account in accounts:
            yield _csv_line(_export_values(account))

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="accounts.csv"'},
    )
