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
    process: subprocess.Popen[bytes] | None = None

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
            **self.extra_env,
        }

    def start(self, timeout_s: float = 60.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"sinergi_{self.name}", "serve"],
            env=self.env(),
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(self.base_url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_until(check: Callable[[], bool], timeout_s: float = 30.0, poll_s: float = 0.05) -> None:
    """Poll ``check`` until it holds; raise ``TimeoutError`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met in {timeout_s:.0f}s")
        time.sleep(poll_s)
