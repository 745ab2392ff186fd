"""Bulk import from CSV and XLSX: dry run, row-level report, idempotent re-import, broken
files; and export back to CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

from sinergi_kit.contracts.registry import AccountRegisteredV1

from .conftest import Registry

HEADER = "platform,handle,display_name,managed_by,category,district,tags,followers\n"
GOOD = (
    "instagram,https://www.instagram.com/infodiwek/,Info Diwek,independent,community,diwek,"
    "pemilu;warga,5200\n"
    "facebook,https://m.facebook.com/profile.php?id=100064512345678,Info Ploso,independent,"
    "community,Ploso,,\n"
)


async def upload(
    registry: Registry,
    content: bytes,
    name: str = "akun.csv",
    *,
    kind: str = "accounts",
    dry_run: bool = False,
) -> Any:
    return await registry.client.post(
        f"/imports/{kind}",
        params={"dry_run": str(dry_run).lower()},
        files={"file": (name, content)},
        headers=registry.operator | {"accept-language": "en"},
    )


async def test_dry_run_then_import_then_the_same_file_again(registry: Registry) -> None:
    content = (HEADER + GOOD).encode()
    dry = (await upload(registry, content, dry_run=True)).json()
    assert (dry["dry_run"], dry["created"], dry["failed"]) == (True, 2, 0)
    assert await registry.events() == []

    first = (await upload(registry, content)).json()
    assert (first["rows"], first["created"], first["updated"], first["unchanged"]) == (2, 2, 0, 0)
    registered = await registry.events(AccountRegisteredV1.event_type)
    assert len(registered) == 2

    second = (await upload(registry, content)).json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 2)
    assert len(await registry.events()) == 2

    changed = (await upload(registry, content.replace(b"5200", b"5300"))).json()
    assert (changed["updated"], changed["unchanged"]) == (1, 1)


async def test_bad_rows_are_reported_with_row_field_and_reason(registry: Registry) -> None:
    rows = (
        HEADER
        + GOOD
        + "instagram,@InfoDiwek,Duplikat,independent,community,Diwek,,\n"
        + "myspace,x,Y,independent,community,,,\n"
        + "instagram,https://www.instagram.com/p/Cx1/,Z,independent,community,,,\n"
        + "instagram,okehandle,Z,independent,community,Surabaya,,\n"
        + "instagram,lainnya,Z,independent,community,,,banyak\n"
    )
    report = (await upload(registry, rows.encode())).json()
    assert (report["rows"], report["created"], report["failed"]) == (7, 2, 5)
    errors = [(e["row"], e["field"]) for e in report["errors"]]
    assert errors == [(4, "handle"), (5, "platform"), (6, "handle"), (7, "row"), (8, "followers")]
    assert report["errors"][0]["reason"] == "duplicate of row 2"
    assert "not a district" in report["errors"][3]["reason"]


async def test_semicolons_indonesian_headers_and_xlsx(registry: Registry) -> None:
    semicolons = (
        "platform;akun;nama_akun;dikelola_oleh;kategori;kecamatan\n"
        "tiktok;@kabar.jombang;Kabar Jombang;independent;media;Jombang\n"
    )
    report = (await upload(registry, semicolons.encode("utf-8-sig"))).json()
    assert report["created"] == 1, report

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["platform", "handle", "display_name", "managed_by", "category", "followers"])
    sheet.append(
        [
            "youtube",
            "https://www.youtube.com/@PemkabJombang",
            "Pemkab",
            "government",
            "government",
            48000,
        ]
    )
    sheet.append([None, None, None, None, None, None])
    sheet.append(
        ["x", "https://twitter.com/kominfojombang", "Kominfo", "government", "government", 1200.0]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = (await upload(registry, buffer.getvalue(), "akun.xlsx")).json()
    assert (xlsx["rows"], xlsx["created"], xlsx["failed"]) == (2, 2, 0), xlsx


async def test_broken_files_are_refused_as_a_whole(registry: Registry) -> None:
    empty = await upload(registry, b"")
    assert empty.status_code == 422 and empty.json()["code"] == "import_unreadable"
    columns = await upload(registry, b"nama,alamat\nA,B\n")
    assert columns.status_code == 422 and columns.json()["code"] == "import_columns"
    assert "platform" in columns.json()["detail"]
    latin1 = await upload(
        registry,
        (HEADER + "instagram,caf\xe9,Caf\xe9,independent,community,,,\n").encode("latin-1"),
    )
    assert latin1.status_code == 422 and "UTF-8" in latin1.json()["detail"]
    utf16 = await upload(registry, (HEADER + GOOD).encode("utf-16"))
    assert utf16.status_code == 422
    not_xlsx = await upload(registry, b"PK\x03\x04 not really a zip", "akun.xlsx")
    assert not_xlsx.status_code == 422 and not_xlsx.json()["code"] == "import_unreadable"
    only_header = (await upload(registry, HEADER.encode())).json()
    assert only_header["rows"] == 0
    viewer = await registry.client.post(
        "/imports/accounts", files={"file": ("a.csv", HEADER.encode())}
    )
    assert viewer.status_code == 401


async def test_people_import_links_accounts_and_is_idempotent(registry: Registry) -> None:
    await upload(registry, (HEADER + GOOD).encode())
    people = (
        "nama,email,wa,peran,consents,accounts\n"
        "Budi Santoso,budi@example.id,0812-1111-2222,account_admin,event_invitations,"
        "instagram:@infodiwek\n"
        "Budi Santoso,budi@example.id,,account_admin,,\n"
        "Tanpa Kontak,,,speaker,,\n"
        "Salah,,0812,,,\n"
        "Akun Hilang,,,,,instagram:tidakada\n"
    )
    report = (await upload(registry, people.encode(), kind="people")).json()
    assert (report["created"], report["failed"]) == (2, 3), report
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "name"),
        (5, "contact"),
        (6, "accounts"),
    ]
    again = (await upload(registry, people.encode(), kind="people")).json()
    assert (again["created"], again["unchanged"]) == (0, 2), again
    found = await registry.client.get("/people", params={"q": "budi"}, headers=registry.operator)
    [budi] = found.json()["items"]
    assert budi["contact"]["whatsapp"] == "+6281211112222" and len(budi["managed_account_ids"]) == 1


async def test_export_is_importable(registry: Registry) -> None:
    await upload(registry, (HEADER + GOOD).encode())
    exported = await registry.client.get("/exports/accounts.csv", headers=registry.operator)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {r["handle"] for r in rows} == {"infodiwek", "100064512345678"}
    again = (await upload(registry, exported.content)).json()
    assert (again["unchanged"], again["failed"]) == (2, 0), again


async def test_ten_thousand_rows(registry: Registry) -> None:
    lines = [HEADER] + [
        f"instagram,akun.{i},Akun {i},independent,community,Diwek,warga,{i}\n"
        for i in range(10_000)
    ]
    report = (await upload(registry, "".join(lines).encode())).json()
    assert (report["rows"], report["created"], report["failed"]) == (10_000, 10_000, 0)
    stats = (await registry.client.get("/stats/accounts", headers=registry.operator)).json()
    assert stats["by_district"] == {"Diwek": 10_000}
