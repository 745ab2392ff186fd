"""Reading the office's spreadsheets row by row (CSV or XLSX), never the whole file at once."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

Row = dict[str, str]


class UnreadableFileError(ValueError):
    """The file as a whole cannot be read (encoding, format, no header)."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(cells: list[Any]) -> list[str]:
    header = [_cell(c).lower().replace(" ", "_") for c in cells]
    if not any(header):
        raise UnreadableFileError("no header row")
    return header


Rows = tuple[list[str], Iterator[tuple[int, Row]]]


def _csv_rows(file: IO[bytes]) -> Rows:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError as exc:
        raise UnreadableFileError("not UTF-8 text") from exc
    if not first.strip():
        raise UnreadableFileError("empty file")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = _header(next(csv.reader([first], delimiter=delimiter)))

    def rows() -> Iterator[tuple[int, Row]]:
        reader = csv.reader(text, delimiter=delimiter)
        number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(f"not UTF-8 text after row {number}") from exc
            except csv.Error as exc:
                raise UnreadableFileError(f"row {number + 1}: {exc}") from exc
            number += 1
            if any(c.strip() for c in cells):
                yield number, {h: _cell(v) for h, v in zip(header, cells, strict=False) if h}

    return header, rows()


def _xlsx_rows(file: IO[bytes]) -> Rows:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet_rows = workbook.worksheets[0].iter_rows(values_only=True)
        first = next(sheet_rows, None)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        raise UnreadableFileError("not an XLSX workbook") from exc
    if first is None:
        workbook.close()
        raise UnreadableFileError("empty file")
    header = _header(list(first))

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            for number, cells in enumerate(sheet_rows, start=2):
                if any(_cell(c) for c in cells):
                    yield number, {h: _cell(v) for h, v in zip(header, cells, strict=False) if h}
        finally:
            workbook.close()

    return header, rows()


def read_rows(file: IO[bytes], filename: str) -> Rows:
    """The header, and ``(row number as the office sees it, {column: text})`` for each
    non-empty row; the header is row 1."""
    head = file.read(4)
    file.seek(0)
    if filename.lower().endswith(".xlsx") or head.startswith(b"PK\x03\x04"):
        return _xlsx_rows(file)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFileError("UTF-16 text; save the file as UTF-8 CSV")
    return _csv_rows(file)
