"""The whole platform for journeys and fault runs: the four services as real processes on one
NATS, a real SMTP server that can be made to refuse mail for a while, operator and verifier
tokens, and a checkpoint hook through which a fault run injects its faults."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.nats_server import free_port
from sinergi_kit.settings import ServiceSettings
from sinergi_kit.testing.processes import ServiceProcess, wait_until
from sinergi_notify.mailcatcher import CaughtMessage, MailCatcher
from sinergi_notify.testing import NO_QUIET_HOURS_ENV

SERVICES = ("registry", "events", "notify", "factcheck")
JWT_SECRET = "e2e-journeys-shared-signing-key-" + "j" * 32
KPU = UUID("0193a000-0000-7000-8000-00000000c0b1")
BAWASLU = UUID("0193a000-0000-7000-8000-00000000ba51")
RSVP_LINK = re.compile(r"/rsvp/([A-Za-z0-9_\-.~]+)")
START_TIMEOUT_S = 150.0
"""Python and the migrations start slowly on a loaded two-core machine."""
SHARE_LINK = re.compile(r"(https?://\S+/share/[A-Za-z0-9_\-]+)")


class FlakySmtp:
    """notify's mail catcher, which answers ``451`` to every recipient while it is failing."""

    def __init__(self) -> None:
        self._failing_until = 0.0
        self.refused = 0
        self._lock = threading.Lock()
        self.catcher = MailCatcher(port=free_port(), refuse=self._refuse)

    def _refuse(self, address: str) -> str | None:
        if time.monotonic() < self._failing_until:
            with self._lock:
                self.refused += 1
            return "451 4.3.0 Mail server temporarily unavailable, try again later"
        return None

    def fail_for(self, seconds: float) -> None:
        self._failing_until = time.monotonic() + seconds

    @property
    def port(self) -> int:
        return self.catcher.port


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    message_id: str
    text: str
    calendar: str | None

    @classmethod
    def of(cls, caught: CaughtMessage) -> Mail:
        message: EmailMessage = caught.parsed()
        text, calendar = "", None
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text = str(part.get_content())
            elif part.get_content_type() == "text/calendar":
                calendar = str(part.get_content())
        return cls(
            to=caught.rcpt_tos[0].lower(),
            subject=str(message["Subject"]),
            message_id=str(message["Message-ID"]),
            text=text,
            calendar=calendar,
        )


class Mailbox:
    """What reached the SMTP server, read once per Message-ID (as a receiving server that
    deduplicates would keep it); ``raw_count`` counts every delivery."""

    def __init__(self, smtp: FlakySmtp) -> None:
        self.smtp = smtp
        self._parsed: dict[int, Mail] = {}

    def _all(self) -> list[Mail]:
        for caught in self.smtp.catcher.store.messages():
            if caught.number not in self._parsed:
                self._parsed[caught.number] = Mail.of(caught)
        return list(self._parsed.values())

    @property
    def raw_count(self) -> int:
        return self.smtp.catcher.store.received

    def distinct(self) -> list[Mail]:
        seen: dict[str, Mail] = {}
        for mail in self._all():
            seen.setdefault(mail.message_id, mail)
        return list(seen.values())

    def with_subject(self, prefix: str) -> list[Mail]:
        return [m for m in self.distinct() if m.subject.startswith(prefix)]

    def wait_for(self, prefix: str, count: int, timeout_s: float = 60.0) -> list[Mail]:
        wait_until(lambda: len(self.with_subject(prefix)) >= count, timeout_s, poll_s=0.2)
        return self.with_subject(prefix)

    def per_recipient(self, prefix: str) -> Counter[str]:
        return Counter(m.to for m in self.with_subject(prefix))


@dataclass
class Platform:
    processes: dict[str, ServiceProcess]
    smtp: FlakySmtp
    mailbox: Mailbox
    checkpoint_hook: Callable[[Platform, str], None] | None = None
    passed: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def checkpoint(self, name: str) -> None:
        """A point of the journey where a fault run may inject a fault."""
        self.passed.append(name)
        print(f"[{time.monotonic() - self.started_at:6.1f}s] {name}")
        if self.checkpoint_hook is not None:
            self.checkpoint_hook(self, name)

    def url(self, service: str) -> str:
        return self.processes[service].base_url

    def token(
        self, subject: str, role: Role, organization_id: UUID | None = None, name: str = ""
    ) -> str:
        verifier = TokenVerifier(ServiceSettings(jwt_secret=JWT_SECRET))
        return verifier.issue(Principal(subject, frozenset({role}), organization_id, name))

    def request(
        self, method: str, service: str, path: str, *, as_: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One HTTP call; a refused connection (a service restarting) is tried again."""
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["authorization"] = f"Bearer {as_}"
        deadline = time.monotonic() + 60
        while True:
            try:
                return self.client(service).request(method, path, headers=headers, **kwargs)
            except httpx.ConnectError:  # never reached the service: safe to send again
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        as_: str | None = None,
        expect: int | tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> Any:
        """One HTTP call whose status must be one of ``expect``; its JSON body or its text."""
        response = self.request(method, service, path, as_=as_, **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in expected, (
            f"{method} {service}{path}: {response.status_code} {response.text[:500]}"
        )
        if "json" in response.headers.get("content-type", ""):
            return response.json()
        return response.text

    def client(self, service: str) -> httpx.Client:
        if service not in self.clients:
            self.clients[service] = httpx.Client(base_url=self.url(service), timeout=30)
        return self.clients[service]

    def forget_connections(self, service: str) -> None:
        """After a restart, kept-alive connections lead nowhere."""
        if client := self.clients.pop(service, None):
            client.close()

    def restart(self, service: str) -> None:
        """SIGKILL, then start again on the same port and database."""
        process = self.processes[service]
        process.kill()
        self.forget_connections(service)
        process.start(START_TIMEOUT_S)

    def wait_ready(self) -> None:
        wait_until(lambda: all(_ready(p) for p in self.processes.values()), 90, poll_s=0.2)


def _ready(process: ServiceProcess) -> bool:
    try:
        return httpx.get(process.base_url + "/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def service_env(name: str, var_dir: Path, smtp_port: int, ports: dict[str, int]) -> dict[str, str]:
    prefix = f"SINERGI_{name.upper()}_"
    env = {
        "SINERGI_VAR_DIR": str(var_dir),
        prefix + "JWT_SECRET": JWT_SECRET,
        prefix + "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[name]}",
        prefix + "LOG_LEVEL": "INFO",
    }
    if name == "factcheck":
        # Behind the proxy every citizen and manager has an address of their own.
        env[prefix + "TRUST_FORWARDED_FOR"] = "true"
    if name == "events":
        env[prefix + "SCHEDULER_INTERVAL_S"] = "0.3"
    if name == "notify":
        env |= {
            prefix + "SMTP_PORT": str(smtp_port),
            prefix + "EVENTS_PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['events']}",
            # The journeys run at any hour: no quiet hours, share requests at once.
            **NO_QUIET_HOURS_ENV,
            prefix + "URGENT_CATEGORIES": json.dumps(["dissemination"]),
            prefix + "SENDER_POLL_INTERVAL_S": "0.05",
            prefix + "AWAITING_RECIPIENT_RETRY_S": "0.5",
            prefix + "RETRY_BASE_S": "0.5",
            prefix + "RETRY_MAX_S": "2",
            prefix + "RETRY_MAX_ATTEMPTS": "12",
            prefix + "LEASE_S": "3",
        }
    return env


@contextmanager
def running_platform(
    nats_url: str, database_for: Callable[[str], str], directory: Path
) -> Iterator[Platform]:
    smtp = FlakySmtp()
    smtp.catcher.start()
    ports = {name: free_port() for name in SERVICES}
    processes = {
        name: ServiceProcess(
            name,
            database_for(name),
            nats_url,
            directory / f"{name}.log",
            port=ports[name],
            extra_env=service_env(name, directory / "var", smtp.port, ports),
        )
        for name in SERVICES
    }
    try:
        with ThreadPoolExecutor(len(processes)) as pool:  # they start side by side
            list(pool.map(lambda p: p.start(START_TIMEOUT_S), processes.values()))
        platform = Platform(processes, smtp, Mailbox(smtp))
        yield platform
        for client in platform.clients.values():
            client.close()
    finally:
        with ThreadPoolExecutor(len(processes)) as pool:  # each waits for its own shutdown
            list(pool.map(ServiceProcess.stop, processes.values()))
        smtp.catcher.stop()
