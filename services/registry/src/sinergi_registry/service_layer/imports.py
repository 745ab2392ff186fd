"""Bulk import of accounts and people from the office's spreadsheets: streamed in batches,
each batch one unit of work; a dry run does the same work and rolls every batch back. A row
that names an existing account (same platform and canonical handle) or person (same e-mail or
WhatsApp number) updates it, so importing the same file twice changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from sinergi_kit.auth import Principal
from sinergi_kit.contracts.registry import AccountState, Platform
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.i18n import Lang, translate
from sinergi_kit.logging import get_logger
from sinergi_kit.uow import UnitOfWork, UnitOfWorkFactory
from sinergi_registry.adapters.repository import (
    AccountRepository,
    OrganizationRepository,
    PersonRepository,
)
from sinergi_registry.adapters.spreadsheets import Row, UnreadableFileError, read_rows
from sinergi_registry.domain.handles import InvalidHandleError, normalise_handle
from sinergi_registry.service_layer.accounts import (
    RegisterAccount,
    UpdateAccount,
    canonical_handle,
    new_account,
    store_new_accounts,
    update_account,
)
from sinergi_registry.service_layer.people import (
    ConsentInput,
    RegisterPerson,
    UpdatePerson,
    contact_points,
    register_person,
    update_person,
)

log = get_logger(__name__)
PLATFORM: TypeAdapter[Platform] = TypeAdapter(Platform)
BATCH = 500
STATISTICS_AFTER_ROWS = 1_000
MAX_REPORTED = 1_000

ACCOUNT_COLUMNS = {
    "platform",
    "handle",
    "display_name",
    "managed_by",
    "category",
    "district",
    "organization",
    "tags",
    "followers",
    "url",
}
ACCOUNT_REQUIRED = {"platform", "handle", "display_name", "managed_by", "category"}
PERSON_COLUMNS = {
    "name",
    "email",
    "whatsapp",
    "telegram",
    "roles",
    "organization",
    "preferred_language",
    "consents",
    "consent_source",
    "accounts",
}
PERSON_REQUIRED = {"name"}
ALIASES = {
    "nama": "name",
    "nama_akun": "display_name",
    "akun": "handle",
    "kecamatan": "district",
    "organisasi": "organization",
    "pengikut": "followers",
    "kategori": "category",
    "dikelola_oleh": "managed_by",
    "peran": "roles",
    "bahasa": "preferred_language",
    "tag": "tags",
    "wa": "whatsapp",
    "no_wa": "whatsapp",
}


class RowError(BaseModel):
    row: int = Field(description="Row number in the file; the header is row 1")
    field: str
    reason: str


class ImportReport(BaseModel):
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = Field(default_factory=list)
    errors_truncated: bool = False


class _DryRunRollbackError(Exception):
    pass


@dataclass
class _Run:
    report: ImportReport
    lang: Lang
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)
    organizations: dict[str, Any] = field(default_factory=dict)
    existing: dict[tuple[str, str], AccountState] = field(default_factory=dict)
    pending: list[AccountState] = field(default_factory=list)

    def fail(self, row: int, column: str, reason: str) -> None:
        self.report.failed += 1
        if len(self.report.errors) < MAX_REPORTED:
            self.report.errors.append(RowError(row=row, field=column, reason=reason))
        else:
            self.report.errors_truncated = True

    def problem(self, row: int, exc: ProblemError, column: str) -> None:
        reason = translate(exc.detail_key, self.lang, **exc.params) if exc.detail_key else exc.code
        self.fail(row, column, reason)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def _canonical_columns(header: list[str]) -> list[str]:
    return [ALIASES.get(h, h) for h in header]


def _check_header(header: list[str], known: set[str], required: set[str]) -> None:
    missing = sorted(required - set(header))
    if missing:
        raise ProblemError(
            422,
            "import_columns",
            detail_key="registry.import_columns",
            missing=", ".join(missing),
            known=", ".join(sorted(known)),
        )


def _validation_reason(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]) or "row", first["msg"]


async def _organization_id(uow: UnitOfWork, run: _Run, name: str) -> Any:
    key = name.strip().casefold()
    if key not in run.organizations:
        found = await OrganizationRepository(uow.session).find_by_name(name)
        run.organizations[key] = found.id if found else None
    return run.organizations[key]


async def _account_row(uow: UnitOfWork, run: _Run, number: int, row: Row, actor: Principal) -> None:
    values: dict[str, Any] = {k: v for k, v in row.items() if k in ACCOUNT_COLUMNS and v != ""}
    try:
        values["tags"] = _split(values.get("tags", ""))
        if "organization" in values:
            organization_id = await _organization_id(uow, run, values.pop("organization"))
            if organization_id is None:
                run.fail(
                    number, "organization", translate("registry.organization_not_found", run.lang)
                )
                return
            values["organization_id"] = organization_id
        values["platform"] = values.get("platform", "").lower()
        command = RegisterAccount.model_validate(values)
    except ValidationError as exc:
        run.fail(number, *_validation_reason(exc))
        return
    try:
        handle = canonical_handle(command.platform, command.handle)
    except ProblemError as exc:
        run.problem(number, exc, "handle")
        return
    key = (command.platform, handle)
    if key in run.seen:
        run.fail(number, "handle", f"duplicate of row {run.seen[key]}")
        return
    run.seen[key] = number
    try:
        existing = run.existing.get(key)
        if existing is None:
            run.pending.append(await new_account(uow, command, actor))
            run.report.created += 1
            return
        changes = UpdateAccount.model_validate(
            command.model_dump(include=set(values) - {"platform", "handle"})
        )
        revised = await update_account(
            uow, existing.id, changes, actor, None, source="import", current=existing
        )
    except ProblemError as exc:
        run.problem(number, exc, "row")
        return
    if revised.version == existing.version:
        run.report.unchanged += 1
    else:
        run.report.updated += 1


async def _person_row(uow: UnitOfWork, run: _Run, number: int, row: Row, actor: Principal) -> None:
    values: dict[str, Any] = {k: v for k, v in row.items() if k in PERSON_COLUMNS and v != ""}
    try:
        contact = {k: values.pop(k) for k in ("email", "whatsapp", "telegram") if k in values}
        values["contact"] = contact
        values["roles"] = [r.lower() for r in _split(values.get("roles", ""))]
        source = values.pop("consent_source", "import")
        values["consents"] = [
            ConsentInput.model_validate({"purpose": p, "source": source})
            for p in _split(values.pop("consents", ""))
        ]
        if "organization" in values:
            organization_id = await _organization_id(uow, run, values.pop("organization"))
            if organization_id is None:
                run.fail(
                    number, "organization", translate("registry.organization_not_found", run.lang)
                )
                return
            values["organization_id"] = organization_id
        accounts = AccountRepository(uow.session)
        managed = []
        for item in _split(values.pop("accounts", "")):
            raw_platform, _, handle = item.partition(":")
            platform = PLATFORM.validate_python(raw_platform.strip().lower())
            found = await accounts.find_by_handle(platform, canonical_handle(platform, handle))
            if found is None:
                run.fail(
                    number,
                    "accounts",
                    f"{item}: " + translate("registry.account_not_found", run.lang),
                )
                return
            managed.append(found.id)
        values["managed_account_ids"] = managed
        command = RegisterPerson.model_validate(values)
        points = contact_points(command.contact)
    except ValidationError as exc:
        run.fail(number, *_validation_reason(exc))
        return
    except ProblemError as exc:
        run.problem(number, exc, "contact" if exc.code == "invalid_contact" else "accounts")
        return
    key = (
        points.email or points.whatsapp or f"{command.name.casefold()}|{command.organization_id}",
    )
    if key in run.seen:
        run.fail(number, "name", f"duplicate of row {run.seen[key]}")
        return
    run.seen[key] = number
    repository = PersonRepository(uow.session)
    try:
        existing = await repository.find_by_contact(points.email, points.whatsapp)
        if existing is None and not (points.email or points.whatsapp):
            existing = await repository.find_by_name(command.name, command.organization_id)
        if existing is None:
            await register_person(uow, command, actor)
            run.report.created += 1
            return
        sent = set(values) - {"consents"}
        changes = UpdatePerson.model_validate(command.model_dump(include=sent))
        revised = await update_person(uow, existing.id, changes, actor, None, current=existing)
    except ProblemError as exc:
        run.problem(number, exc, "row")
        return
    if revised.version == existing.version:
        run.report.unchanged += 1
    else:
        run.report.updated += 1


async def _prefetch_accounts(uow: UnitOfWork, run: _Run, batch: list[tuple[int, Row]]) -> None:
    """One query for the accounts a batch names, instead of one per row."""
    keys = []
    for _, row in batch:
        try:
            platform = PLATFORM.validate_python(row.get("platform", "").lower())
            keys.append((platform, normalise_handle(platform, row.get("handle", ""))))
        except (ValidationError, InvalidHandleError):
            continue  # the row handler reports it
    run.existing = await AccountRepository(uow.session).find_many_by_handle(keys)


async def _store_accounts(uow: UnitOfWork, run: _Run, actor: Principal) -> None:
    await store_new_accounts(uow, run.pending, actor, "import")
    run.pending = []


async def _nothing(*_: Any) -> None:
    return None


@dataclass(frozen=True)
class _Kind:
    columns: set[str]
    required: set[str]
    row: Callable[[UnitOfWork, _Run, int, Row, Principal], Awaitable[None]]
    before_batch: Callable[[UnitOfWork, _Run, list[tuple[int, Row]]], Awaitable[None]] = _nothing
    after_batch: Callable[[UnitOfWork, _Run, Principal], Awaitable[None]] = _nothing


KINDS: dict[str, _Kind] = {
    "accounts": _Kind(
        ACCOUNT_COLUMNS, ACCOUNT_REQUIRED, _account_row, _prefetch_accounts, _store_accounts
    ),
    "people": _Kind(PERSON_COLUMNS, PERSON_REQUIRED, _person_row),
}


def _batches(rows: Iterator[tuple[int, Row]]) -> Iterator[list[tuple[int, Row]]]:
    batch: list[tuple[int, Row]] = []
    for item in rows:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def run_import(
    uow_factory: UnitOfWorkFactory,
    kind: str,
    file: IO[bytes],
    filename: str,
    actor: Principal,
    *,
    dry_run: bool,
    lang: Lang = "id",
) -> ImportReport:
    spec = KINDS[kind]
    run = _Run(ImportReport(dry_run=dry_run), lang)
    try:
        header, rows = read_rows(file, filename)
        header = _canonical_columns(header)
        _check_header(header, spec.columns, spec.required)
        for batch in _batches((n, {ALIASES.get(k, k): v for k, v in r.items()}) for n, r in rows):
            try:
                async with uow_factory() as uow:
                    await spec.before_batch(uow, run, batch)
                    for number, row in batch:
                        await spec.row(uow, run, number, row, actor)
                    await spec.after_batch(uow, run, actor)
                    if dry_run:
                        raise _DryRunRollbackError
            except _DryRunRollbackError:
                pass
            run.report.rows += len(batch)
            log.info(
                "import.progress",
                kind=kind,
                file=filename,
                rows=run.report.rows,
                created=run.report.created,
                updated=run.report.updated,
                failed=run.report.failed,
                dry_run=dry_run,
            )
    except UnreadableFileError as exc:
        raise ProblemError(
            422, "import_unreadable", detail_key="registry.import_unreadable", reason=str(exc)
        ) from exc
    finally:
        if not dry_run and run.report.rows >= STATISTICS_AFTER_ROWS:
            async with uow_factory() as uow:
                await AccountRepository(uow.session).refresh_statistics()
    return run.report
