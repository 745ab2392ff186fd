"""A local mail catcher for the dev stack and the tests: an SMTP server (aiosmtpd) that keeps
what arrives, and a small page and JSON API listing it.

``python -m sinergi_notify.mailcatcher --smtp-port 1025 --http-port 8025``
"""

from __future__ import annotations

import argparse
import html
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

RecipientRule = Callable[[str], str | None]
"""Returns an SMTP reply to refuse a recipient with (e.g. ``550 5.1.1 …``), or None."""


@dataclass(frozen=True)
class CaughtMessage:
    number: int
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    received_at: datetime

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message

    def summary(self) -> dict[str, Any]:
        message = self.parsed()
        return {
            "number": self.number,
            "from": self.mail_from,
            "to": list(self.rcpt_tos),
            "subject": str(message.get("Subject", "")),
            "message_id": str(message.get("Message-ID", "")),
            "received_at": self.received_at.isoformat(),
            "size": len(self.raw),
        }


class MailStore:
    """Thread-safe; keeps the newest ``capacity`` messages and counts every one."""

    def __init__(self, capacity: int | None = 1_000) -> None:
        self._lock = threading.Lock()
        self._messages: deque[CaughtMessage] = deque(maxlen=capacity)
        self.received = 0
        self.message_ids: dict[str, int] = {}

    def add(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> None:
        message_id = _message_id(raw)
        with self._lock:
            self.received += 1
            self.message_ids[message_id] = self.message_ids.get(message_id, 0) + 1
            self._messages.append(
                CaughtMessage(self.received, mail_from, tuple(rcpt_tos), raw, datetime.now(UTC))
            )

    def messages(self) -> list[CaughtMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def distinct(self) -> int:
        """Messages counted once per Message-ID: what a deduplicating receiver keeps."""
        with self._lock:
            return len(self.message_ids)


def _message_id(raw: bytes) -> str:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    return str(headers.get("Message-ID", "")).strip() or f"<none-{hash(raw)}>"


class CatcherHandler:
    def __init__(self, store: MailStore, refuse: RecipientRule | None = None) -> None:
        self.store = store
        self.refuse = refuse

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse is not None and (reply := self.refuse(address)):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content.encode() if isinstance(content, str) else bytes(content)
        self.store.add(str(envelope.mail_from), list(envelope.rcpt_tos), raw)
        return "250 Message accepted for delivery"


class MailCatcher:
    """The SMTP side, in a thread of its own."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 1025,
        store: MailStore | None = None,
        refuse: RecipientRule | None = None,
    ) -> None:
        self.store = store or MailStore()
        self.host = host
        self.port = port
        self.controller = Controller(
            CatcherHandler(self.store, refuse), hostname=host, port=port, ready_timeout=10
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def web_app(store: MailStore) -> Starlette:
    async def index(request: Request) -> HTMLResponse:
        rows = "".join(
            f"<tr><td>{m['number']}</td><td>{html.escape(m['received_at'])}</td>"
            f"<td>{html.escape(', '.join(m['to']))}</td>"
            f'<td><a href="/api/messages/{m["number"]}/raw">{html.escape(m["subject"])}</a>'
            "</td></tr>"
            for m in reversed([c.summary() for c in store.messages()])
        )
        return HTMLResponse(
            '<!doctype html><html lang="id"><meta charset="utf-8">'
            "<title>Kotak surat lokal / local mailbox</title><h1>Kotak surat lokal / local "
            f"mailbox</h1><p>{store.received} pesan / messages</p><table><tr><th>#</th>"
            "<th>Waktu / time</th><th>Kepada / to</th><th>Subjek / subject</th></tr>"
            f"{rows}</table></html>"
        )

    async def api(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "received": store.received,
                "distinct_message_ids": store.distinct,
                "messages": [m.summary() for m in store.messages()],
            }
        )

    async def raw(request: Request) -> Response:
        number = int(request.path_params["number"])
        for message in store.messages():
            if message.number == number:
                return Response(message.raw, media_type="message/rfc822")
        return JSONResponse({"detail": "not found"}, status_code=404)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/api/messages", api),
            Route("/api/messages/{number:int}/raw", raw),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args(argv)
    catcher = MailCatcher(args.host, args.smtp_port)
    catcher.start()
    try:
        uvicorn.run(
            web_app(catcher.store),
            host=args.host,
            port=args.http_port,
            log_level="warning",
            access_log=False,
        )
    finally:
        catcher.stop()


if __name__ == "__main__":
    main()
