"""deploy/compose.yaml run without a Docker engine: each compose service's command runs on this
machine with its compose environment. The images' entrypoints come from their Dockerfiles,
compose host names point at 127.0.0.1 (a real PostgreSQL from TEST_POSTGRES_URL, whose
per-service databases and roles deploy/postgres/init.sh creates under a throwaway suffix, and
the test session's real nats-server), and published ports are free ones."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import dockerfile
import httpx
import psutil
import pytest
from sqlalchemy.engine import URL, make_url
from typer.testing import CliRunner

from sinergi_kit.cli import app as sinergi_cli
from sinergi_kit.nats_server import free_port
from sinergi_kit.testing.plugin import asyncpg_dsn, postgres_admin_url, require
from sinergi_kit.testing.processes import wait_until

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
APP_SERVICES = ("registry", "events", "notify", "factcheck")


def admin_url() -> URL:
    url = postgres_admin_url()
    require(shutil.which("psql") is not None, "psql (the PostgreSQL client) is not installed")
    return make_url(url)


async def execute(url: URL, *statements: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@dataclass(frozen=True)
class Namespace:
    """The init script's databases and roles, suffixed for this test run."""

    admin: URL
    suffix: str

    def name(self, service: str) -> str:
        return f"sinergi_{service}{self.suffix}"


@pytest.fixture(scope="module")
def namespace(compose: dict[str, Any]) -> Iterator[Namespace]:
    admin = admin_url()
    space = Namespace(admin, f"_t{uuid.uuid4().hex[:10]}")
    postgres_env = compose["services"]["postgres"]["environment"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PGHOST": admin.host or "127.0.0.1",
        "PGPORT": str(admin.port or 5432),
        "PGPASSWORD": admin.password or "",
        "POSTGRES_USER": admin.username or "postgres",
        "POSTGRES_DB": admin.database or "postgres",
        "SINERGI_DB_NAME_SUFFIX": space.suffix,
        **{k: v for k, v in postgres_env.items() if k.endswith("_DB_PASSWORD")},
    }
    script = DEPLOY / "postgres" / "init.sh"
    result = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True)
    try:
        assert result.returncode == 0, result.stderr
        yield space
    finally:
        names = [space.name(s) for s in APP_SERVICES]
        asyncio.run(
            execute(
                admin,
                *(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names),
                *(f'DROP ROLE IF EXISTS "{n}"' for n in names),
            )
        )


def localise(
    env: dict[str, str], space: Namespace, nats_url: str, tmp: Path | None = None
) -> dict[str, str]:
    """Compose's network seen from this machine: host names -> 127.0.0.1, free ports; files
    a container keeps in its own /tmp go under ``tmp``."""
    local: dict[str, str] = {}
    for key, value in env.items():
        if key.endswith("_DATABASE_URL"):
            url = make_url(value)
            assert url.host == "postgres"
            service = (url.database or "").removeprefix("sinergi_")
            value = url.set(
                host=space.admin.host,
                port=space.admin.port or 5432,
                username=space.name(service),
                database=space.name(service),
            ).render_as_string(hide_password=False)
        elif key.endswith("_NATS_URL"):
            assert value == "nats://nats:4222"
            value = nats_url
        elif key.endswith("_HTTP_HOST"):
            value = "127.0.0.1"
        elif key.endswith(("_HTTP_PORT", "_METRICS_PORT")):
            value = str(free_port())
        elif value.startswith("/tmp/"):
            assert tmp is not None, key
            value = str(tmp / value.removeprefix("/tmp/"))
        local[key] = value
    return local


def process_env(extra: dict[str, str], home: Path) -> dict[str, str]:
    """This machine's environment without any Sinergi setting, as in a fresh container."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINERGI_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(home)
    return {**env, **extra}


def image_config(service: str) -> tuple[list[str], dict[str, str], list[str]]:
    """ENTRYPOINT, SINERGI_* ENV and HEALTHCHECK command of the image's final stage."""
    commands = dockerfile.parse_file(str(REPO / "services" / service / "Dockerfile"))
    last_from = max(i for i, c in enumerate(commands) if c.cmd == "FROM")
    final = commands[last_from:]
    entrypoint = next(list(c.value) for c in final if c.cmd == "ENTRYPOINT")
    env: dict[str, str] = {}
    for command in final:
        if command.cmd == "ENV":
            pairs = command.value
            env.update({k: v for k, v in zip(pairs[::2], pairs[1::2], strict=True)})
    healthcheck = next(list(c.value) for c in final if c.cmd == "HEALTHCHECK")
    assert healthcheck[0] == "CMD"
    return entrypoint, {k: v for k, v in env.items() if k.startswith("SINERGI_")}, healthcheck[1:]


async def table_owner(space: Namespace, service: str, table: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(space.admin.set(database=space.name(service))))
    try:
        owner = await connection.fetchval(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = $1",
            table,
        )
    finally:
        await connection.close()
    return str(owner)


def launch(
    command: list[str], env: dict[str, str], cwd: Path, log_path: Path
) -> subprocess.Popen[bytes]:
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(urls: dict[str, str], processes: dict[str, subprocess.Popen[bytes]]) -> None:
    pending = dict(urls)
    deadline = time.monotonic() + 90
    with httpx.Client(timeout=1) as client:
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if processes[name].poll() is not None:
                    pytest.fail(f"{name} exited with {processes[name].returncode}")
                try:
                    if client.get(url + "/readyz").status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
    assert not pending, f"not ready after 90 s: {sorted(pending)}"


def test_each_role_reaches_only_its_own_database(namespace: Namespace) -> None:
    async def attempt(role: str, database: str) -> str:
        url = namespace.admin.set(username=role, database=database)
        try:
            connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
        except asyncpg.InsufficientPrivilegeError:
            return "refused"
        await connection.close()
        return "connected"

    async def matrix() -> dict[tuple[str, str], str]:
        return {
            (role, db): await attempt(namespace.name(role), namespace.name(db))
            for role in APP_SERVICES
            for db in APP_SERVICES
        }

    results = asyncio.run(matrix())
    for (role, db), outcome in results.items():
        assert outcome == ("connected" if role == db else "refused"), (role, db)


def test_compose_services_start_with_their_compose_configuration(
    compose: dict[str, Any], namespace: Namespace, clean_nats: str, tmp_path: Path
) -> None:
    services = compose["services"]
    logs = tmp_path / "logs"
    logs.mkdir()

    provision = services["provision"]
    job = subprocess.run(
        provision["command"],
        env=process_env(localise(provision["environment"], namespace, clean_nats), tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert job.returncode == 0, job.stdout + job.stderr
    assert job.stdout.count("database at head") == len(APP_SERVICES)
    assert "SINERGI_REGISTRY" in job.stdout

    processes: dict[str, subprocess.Popen[bytes]] = {}
    envs: dict[str, dict[str, str]] = {}
    urls: dict[str, str] = {}
    image_healthchecks: dict[str, list[str]] = {}
    try:
        for name in APP_SERVICES:
            entrypoint, image_env, image_healthchecks[name] = image_config(name)
            compose_env = localise(services[name]["environment"], namespace, clean_nats)
            envs[name] = process_env({**image_env, **compose_env}, tmp_path)
            workdir = tmp_path / name
            workdir.mkdir()
            processes[name] = launch(
                entrypoint + services[name]["command"], envs[name], workdir, logs / f"{name}.log"
            )
            urls[name] = f"http://127.0.0.1:{compose_env[f'SINERGI_{name.upper()}_HTTP_PORT']}"
        try:
            wait_ready(urls, processes)
        except BaseException:
            for name in APP_SERVICES:
                print(f"--- {name}\n" + (logs / f"{name}.log").read_text()[-3000:])
            raise

        for name in APP_SERVICES:
            body = httpx.get(urls[name] + "/readyz", timeout=5).json()
            assert body["checks"]["database"] == "ok"
            assert body["checks"]["nats"] == "ok"
            assert not list((tmp_path / name).iterdir()), "nothing written beside the process"
            # The job migrated as the service's own role, which owns what it created.
            assert asyncio.run(table_owner(namespace, name, "outbox")) == namespace.name(name)
            for label, command in (
                ("compose", services[name]["healthcheck"]["test"][1:]),
                ("image", image_healthchecks[name]),
            ):
                check = subprocess.run(command, env=envs[name], capture_output=True, timeout=10)
                assert check.returncode == 0, (name, label, check.stderr)

        relays = [name for name, service in services.items() if service.get("command") == ["relay"]]
        for name in relays:
            entrypoint, image_env, _ = image_config(name.removesuffix("-relay"))
            relay_env = localise(services[name]["environment"], namespace, clean_nats, tmp_path)
            envs[name] = process_env({**image_env, **relay_env}, tmp_path)
            processes[name] = launch(
                entrypoint + services[name]["command"], envs[name], tmp_path, logs / f"{name}.log"
            )
        for name in relays:
            health = services[name]["healthcheck"]["test"][1:]

            def healthy(check: list[str] = health, env: dict[str, str] = envs[name]) -> bool:
                return subprocess.run(check, env=env, capture_output=True).returncode == 0

            wait_until(healthy, 60, poll_s=0.5)
            assert psutil.Process(processes[name].pid).nice() == 10
            assert '"outbox.relay_leader"' in (logs / f"{name}.log").read_text()
            port = next(v for k, v in envs[name].items() if k.endswith("_METRICS_PORT"))
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
            assert "sinergi_events_published_total" in metrics.text

        result = CliRunner().invoke(
            sinergi_cli, ["health", *(f"--service={n}={u}" for n, u in urls.items())]
        )
        assert result.exit_code == 0, result.output
        assert result.output.count(" ready ") == len(APP_SERVICES)

        processes["notify"].terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert processes["notify"].wait(timeout=20) in (0, -signal.SIGTERM)
        assert '"service.stopped"' in (logs / "notify.log").read_text()
        result = CliRunner().invoke(
            sinergi_cli, ["health", *(f"--service={n}={u}" for n, u in urls.items())]
        )
        assert result.exit_code == 1
        assert re.search(r"^notify\s+unreachable", result.output, re.MULTILINE)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
