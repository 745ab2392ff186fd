"""Email over SMTP (aiosmtplib) with a small pool of open connections."""

from __future__ import annotations

import asyncio
import contextlib
from email import policy
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parseaddr

import aiosmtplib

from sinergi_kit.clock import utcnow
from sinergi_notify.adapters.channels.base import OutgoingMessage
from sinergi_notify.domain.classify import classify_smtp
from sinergi_notify.domain.delivery import Outcome, sent
from sinergi_notify.domain.model import Channel
from sinergi_notify.settings import NotifySettings


def message_id(idempotency_key: str, domain: str) -> str:
    """Derived from the notification, so a re-send after a crash carries the same Message-ID
    and the receiving side can drop the duplicate."""
    return f"<{idempotency_key}@{domain}>"


def _header(value: str) -> str:
    """RFC 2047 encoded when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def build_email(message: OutgoingMessage, *, sender: str, domain: str) -> bytes:
    """multipart/alternative: text, HTML and, for invitations, text/calendar with its
    METHOD. Built with the fast MIME classes: at fan-out sizes the header parsing of
    ``EmailMessage`` costs more than the SMTP round trips."""
    email = MIMEMultipart("alternative")
    email["From"] = sender
    email["To"] = message.address
    email["Subject"] = _header(message.rendered.subject)
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id(message.idempotency_key, domain)
    email["Content-Language"] = message.rendered.locale
    email["X-Sinergi-Notification"] = str(message.notification_id)
    email["X-Sinergi-Template"] = message.template_key
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.attach(MIMEText(message.rendered.text, "plain", "utf-8"))
    email.attach(MIMEText(message.rendered.html, "html", "utf-8"))
    if message.ics:
        calendar = MIMEText(message.ics, "calendar", "utf-8")
        calendar.set_param("method", message.ics_method or "REQUEST")
        email.attach(calendar)
    return email.as_bytes(policy=WIRE_POLICY)


# RFC 5322 allows lines up to 998 characters: long Message-IDs and URLs stay unfolded.
WIRE_POLICY = policy.compat32.clone(linesep="\r\n", max_line_length=998)


class EmailChannel:
    name: Channel = "email"

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP | None] = asyncio.Queue()
        for _ in range(settings.smtp_connections):
            self._idle.put_nowait(None)

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout_s,
            use_tls=s.smtp_use_tls,
            start_tls=s.smtp_starttls,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
        )
        await client.connect()
        return client

    async def send(self, message: OutgoingMessage) -> Outcome:
        raw = build_email(
            message, sender=self.settings.mail_from, domain=self.settings.message_id_domain
        )
        sender = parseaddr(self.settings.mail_from)[1]
        client = await self._idle.get()
        try:
            if client is None or not client.is_connected:
                client = await self._connect()
            _errors, response = await client.sendmail(sender, [message.address], raw)
            return sent(response.strip()[:200] or None, 250)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            await _reset(client)
            return classify_smtp(refused.code, refused.message)
        except aiosmtplib.SMTPResponseException as exc:
            await _drop(client)
            client = None
            return classify_smtp(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await _drop(client)
            client = None
            return Outcome("temporary", f"SMTP connection: {exc!r}"[:500])
        finally:
            self._idle.put_nowait(client)

    async def close(self) -> None:
        while not self._idle.empty():
            await _drop(self._idle.get_nowait())


async def _reset(client: aiosmtplib.SMTP | None) -> None:
    if client is not None and client.is_connected:
        try:
            await client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await _drop(client)


async def _drop(client: aiosmtplib.SMTP | None) -> None:
    if client is not None:
        # A broken connection may fail to close; it is gone either way.
        with contextlib.suppress(Exception):
            client.close()
