"""Cursor (keyset) pagination: a page ends with an opaque cursor that encodes the sort key of
its last row, and the next page starts strictly after it, so inserts never shift pages."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, or_

from sinergi_kit.http.problems import ProblemError
from sinergi_kit.i18n import register_messages

register_messages(
    {
        "http.bad_cursor": {
            "id": "Kursor halaman tidak valid; mulai lagi dari halaman pertama.",
            "en": "The page cursor is not valid; start again from the first page.",
        }
    }
)


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise ProblemError(400, "bad_cursor", detail_key="http.bad_cursor") from exc
    if not isinstance(values, list) or len(values) != length:
        raise ProblemError(400, "bad_cursor", detail_key="http.bad_cursor")
    return values


def after(
    columns: Sequence[ColumnElement[Any]], values: Sequence[Any], *, descending: bool = False
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``columns`` (all ascending or all
    descending), spelled out as OR/AND so every backend can use the index."""
    clauses: list[ColumnElement[bool]] = []
    for index, column in enumerate(columns):
        equal = [columns[i] == values[i] for i in range(index)]
        beyond = column < values[index] if descending else column > values[index]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)
