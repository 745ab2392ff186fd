"""Services as real processes for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sinergi_kit.nats_server import free_port


@dataclass
class ServiceProcess:
    name: str
    database_url: str
    nats_url: str
    log_path: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    relay_apart: bool = False
    """Run the outbox relay in a process of its own (PostgreSQL), started with the service."""
    process: subprocess.Popen[bytes] | None = None
    relay: subprocess.Popen[bytes] | None = None
    _relay_log_start: int = field(default=0, init=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        prefix = f"SINERGI_{self.name.upper()}_"
        return {
            **os.environ,
            f"{prefix}DATABASE_URL": self.database_url,
            f"{prefix}NATS_URL": self.nats_url,
            f"{prefix}HTTP_PORT": str(self.port),
            f"{prefix}LOG_FORMAT": "json",
            f"{prefix}OUTBOX_POLL_INTERVAL_S": "0.2",
            **({f"{prefix}OUTBOX_RELAY": "own_process"} if self.relay_apart else {}),
            **self.extra_env,
        }

    @property
    def relay_log_path(self) -> Path:
        return self.log_path.with_suffix(".relay.log")

    def _launch(self, command: str, log_path: Path, **env: str) -> subprocess.Popen[bytes]:
        log = open(log_path, "ab")  # noqa: SIM115
        return subprocess.Popen(
            [sys.executable, "-m", f"sinergi_{self.name}", command],
            env={**self.env(), **env},
            stdout=log,
            stderr=log,
        )

    def start(self, timeout_s: float = 60.0) -> None:
        """Start the service (and its relay, when apart) and wait until it is ready."""
        self.process = self._launch("serve", self.log_path)
        if self.relay_apart:
            self.start_relay()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for process, log_path in self._running():
                if process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited: {log_path.read_text()[-3000:]}")
            if self._ready():
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready: {self.log_path.read_text()[-3000:]}")

    def start_relay(self) -> None:
        """Start the relay process (again); it is ready once it logs that it took the lead."""
        level = {f"SINERGI_{self.name.upper()}_LOG_LEVEL": "INFO"}
        log_path = self.relay_log_path
        self._relay_log_start = log_path.stat().st_size if log_path.exists() else 0
        self.relay = self._launch("relay", log_path, **level)

    def _running(self) -> list[tuple[subprocess.Popen[bytes], Path]]:
        started = [(self.process, self.log_path), (self.relay, self.relay_log_path)]
        return [(process, log_path) for process, log_path in started if process is not None]

    def _ready(self) -> bool:
        if self.relay is not None and not self._relaying():
            return False
        try:
            return httpx.get(self.base_url + "/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def _relaying(self) -> bool:
        """The relay started last has logged that it took the lead."""
        logged = self.relay_log_path.read_bytes()[self._relay_log_start :]
        return b"outbox.relay_leader" in logged

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, as in a crash."""
        for process, _ in self._running():
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()

    def stop(self) -> None:
        for process, _ in self._running():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until(check: Callable[[], bool], timeout_s: float = 30.0, poll_s: float = 0.05) -> None:
    """Poll ``check`` until it holds; raise ``TimeoutError`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met in {timeout_s:.0f}s")
        time.sleep(poll_s)
