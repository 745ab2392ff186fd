"""The embedded platform for one machine: nats-server from the wheel, the four services as
separate processes on SQLite files under ``var/``. Ctrl-C stops every child."""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats

from sinergi_kit.messaging.topology import provision
from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.service_cli import port_is_free


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int

    @property
    def env_prefix(self) -> str:
        return f"SINERGI_{self.name.upper()}_"


DEFAULT_SERVICES = (
    ServiceSpec("registry", 8101),
    ServiceSpec("events", 8102),
    ServiceSpec("notify", 8103),
    ServiceSpec("factcheck", 8104),
)
CONSOLE = ServiceSpec("console", 8100)
DEFAULT_NATS_PORT = 4223
DEFAULT_SMTP_PORT = 1025
DEFAULT_MAIL_UI_PORT = 8025
_PR_SET_PDEATHSIG = 1


class StartupError(RuntimeError):
    pass


def _die_with_parent() -> None:
    """Linux: a child gets SIGTERM if the dev stack itself is killed, so none is orphaned."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def configured_services() -> list[ServiceSpec]:
    return [
        ServiceSpec(s.name, int(os.environ.get(f"{s.env_prefix}HTTP_PORT", s.port)))
        for s in DEFAULT_SERVICES
    ]


def configured_console() -> ServiceSpec:
    return ServiceSpec(
        CONSOLE.name, int(os.environ.get(f"{CONSOLE.env_prefix}HTTP_PORT", CONSOLE.port))
    )


def check_ports(host: str, ports: dict[str, int]) -> None:
    taken = [f"{name} ({port})" for name, port in ports.items() if not port_is_free(host, port)]
    if taken:
        raise StartupError(
            "Port sudah dipakai / port already in use: " + ", ".join(taken) + ". "
            "Hentikan proses itu atau pilih port lain, mis. SINERGI_REGISTRY_HTTP_PORT=9101 / "
            "stop that process or choose other ports, e.g. SINERGI_REGISTRY_HTTP_PORT=9101, "
            "SINERGI_DEV_NATS_PORT=4323."
        )


class DevStack:
    def __init__(self, var_dir: Path, host: str = "127.0.0.1") -> None:
        self.var_dir = var_dir.resolve()
        self.host = host
        self.services = configured_services()
        self.console = configured_console()
        self.nats = EmbeddedNats(
            self.var_dir / "nats",
            port=int(os.environ.get("SINERGI_DEV_NATS_PORT", DEFAULT_NATS_PORT)),
            host=host,
            log_file=self.var_dir / "log" / "nats.log",
        )
        self.children: list[subprocess.Popen[bytes]] = []
        self.smtp_port = int(os.environ.get("SINERGI_DEV_SMTP_PORT", DEFAULT_SMTP_PORT))
        self.mail_ui_port = int(os.environ.get("SINERGI_DEV_MAIL_UI_PORT", DEFAULT_MAIL_UI_PORT))
        self.mail_catcher: subprocess.Popen[bytes] | None = None

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        env = dict(os.environ)
        prefix = spec.env_prefix
        env.setdefault(
            f"{prefix}DATABASE_URL", f"sqlite+aiosqlite:///{self.var_dir / (spec.name + '.db')}"
        )
        env[f"{prefix}NATS_URL"] = self.nats.url
        env[f"{prefix}HTTP_HOST"] = self.host
        env[f"{prefix}HTTP_PORT"] = str(spec.port)
        env["SINERGI_VAR_DIR"] = str(self.var_dir)
        env.setdefault(f"{prefix}LOG_FORMAT", "json")
        if spec.name == "notify":  # mail goes to the local mail catcher
            env.setdefault(f"{prefix}SMTP_HOST", self.host)
            env.setdefault(f"{prefix}SMTP_PORT", str(self.smtp_port))
        return env

    def console_env(self) -> dict[str, str]:
        """The console calls the four services where this stack serves them."""
        env = dict(os.environ)
        prefix = self.console.env_prefix
        for spec in self.services:
            env[f"{prefix}{spec.name.upper()}_URL"] = self.url(spec)
        env[f"{prefix}HTTP_HOST"] = self.host
        env[f"{prefix}HTTP_PORT"] = str(self.console.port)
        env.setdefault(f"{prefix}LOG_FORMAT", "json")
        return env

    def start(self) -> None:
        ports = {s.name: s.port for s in (*self.services, self.console)} | {"nats": self.nats.port}
        ports |= {"smtp": self.smtp_port, "mail": self.mail_ui_port}
        check_ports(self.host, ports)
        (self.var_dir / "log").mkdir(parents=True, exist_ok=True)
        self._say(f"NATS JetStream di / at {self.nats.url} (store {self.nats.store_dir})")
        self.nats.start()
        self._provision()
        self.mail_catcher = subprocess.Popen(
            [
                *(sys.executable, "-m", "sinergi_notify.mailcatcher", "--host", self.host),
                *("--smtp-port", str(self.smtp_port), "--http-port", str(self.mail_ui_port)),
            ],
            stdout=open(self.var_dir / "log" / "mail.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        for spec in self.services:
            env = self.service_env(spec)
            module = f"sinergi_{spec.name}"
            log = open(self.var_dir / "log" / f"{spec.name}.log", "ab")  # noqa: SIM115
            self.children.append(
                subprocess.Popen(
                    [sys.executable, "-m", module, "serve"],
                    env=env,
                    stdout=log,
                    stderr=log,
                    preexec_fn=_die_with_parent,
                )
            )
        self._wait_healthy()
        self._seed_registry()
        self._start_console()

    def _start_console(self) -> None:
        log = open(self.var_dir / "log" / "console.log", "ab")  # noqa: SIM115
        child = subprocess.Popen(
            [sys.executable, "-m", "sinergi_console", "serve"],
            env=self.console_env(),
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        self.children.append(child)
        url = self.url(self.console) + "/healthz"
        deadline = time.monotonic() + 30
        while True:
            if child.poll() is not None:
                raise StartupError(
                    f"console stopped with code {child.returncode}; see "
                    f"{self.var_dir / 'log' / 'console.log'}"
                )
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise StartupError("console did not answer in 30s")
            time.sleep(0.2)

    def _seed_registry(self) -> None:
        """Demo data from the setting and a first admin, both idempotent."""
        spec = next(s for s in self.services if s.name == "registry")
        env = self.service_env(spec) | {"SINERGI_REGISTRY_ADMIN_PASSWORD": self.admin_password}
        log = self.var_dir / "log" / "registry-seed.log"
        for command in ("load-demo", "create-admin"):
            with open(log, "ab") as output:
                done = subprocess.run(
                    [sys.executable, "-m", "sinergi_registry", command],
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
            if done.returncode != 0:
                raise StartupError(f"registry {command} failed; see {log}")

    @property
    def admin_password(self) -> str:
        path = self.var_dir / "admin-password"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        return path.read_text().strip()

    def _provision(self) -> None:
        import asyncio

        async def run() -> None:
            nc = await nats.connect(self.nats.url)
            try:
                await provision(nc.jetstream())
            finally:
                await nc.close()

        asyncio.run(run())

    def url(self, spec: ServiceSpec) -> str:
        return f"http://{self.host}:{spec.port}"

    def _wait_healthy(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(self.services)
        while pending:
            for child, spec in zip(self.children, self.services, strict=True):
                if child.poll() is not None:
                    raise StartupError(
                        f"{spec.name} stopped with code {child.returncode}; see "
                        f"{self.var_dir / 'log' / (spec.name + '.log')}"
                    )
            spec = pending[0]
            try:
                if httpx.get(self.url(spec) + "/readyz", timeout=1).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise StartupError(f"{spec.name} did not become ready in {timeout_s:.0f}s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.mail_catcher is not None:
            self.children.append(self.mail_catcher)
            self.mail_catcher = None
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.children.clear()
        self.nats.stop()

    def banner(self) -> str:
        lines = ["", "Sinergi berjalan / Sinergi is running:"]
        console = self.url(self.console)
        lines.append(f"  {'console':<10} {console}   (konsol admin / admin console)")
        for spec in self.services:
            lines.append(f"  {spec.name:<10} {self.url(spec)}   (API docs: {self.url(spec)}/docs)")
        lines.append(f"  {'nats':<10} {self.nats.url}")
        mail = f"http://{self.host}:{self.mail_ui_port}"
        lines.append(f"  {'mail':<10} {mail}   (SMTP {self.host}:{self.smtp_port})")
        lines.append(f"  logs       {self.var_dir / 'log'}")
        registry = self.url(self.services[0])
        lines.append(
            f"Masuk / sign in: admin / {self.admin_password}  "
            f"(POST {registry}/auth/login; demo: 64 akun pemerintah, 56 akun mandiri)"
        )
        lines.append("Tekan Ctrl-C untuk berhenti / press Ctrl-C to stop.")
        return "\n".join(lines)

    @staticmethod
    def _say(text: str) -> None:
        print(text, flush=True)


def run_dev_stack(var_dir: Path) -> int:
    stack = DevStack(var_dir)
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.start()
        print(stack.banner(), flush=True)
        while all(child.poll() is None for child in stack.children):
            time.sleep(0.5)
        print("Sebuah layanan berhenti / a service stopped; shutting down.", flush=True)
        return 1
    except StartupError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("\nMenghentikan / stopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        print("Berhenti / stopped.", flush=True)
