"""`make run`'s dev stack: every child starts, Ctrl-C stops them all, a taken port is named."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from sinergi_kit.nats_server import free_port

pytestmark = pytest.mark.e2e
SERVICES = ("registry", "events", "notify", "factcheck", "console")


def dev_env(ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINERGI_")}
    for name in SERVICES:
        env[f"SINERGI_{name.upper()}_HTTP_PORT"] = str(ports[name])
    env["SINERGI_DEV_NATS_PORT"] = str(ports["nats"])
    env["SINERGI_DEV_SMTP_PORT"] = str(ports["smtp"])
    env["SINERGI_DEV_MAIL_UI_PORT"] = str(ports["mail"])
    return env


def start_dev(tmp_path: Path, ports: dict[str, int]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sinergi_kit.cli", "dev", "--var-dir", str(tmp_path / "var")],
        env=dev_env(ports),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_ctrl_c_stops_every_child_and_leaves_no_orphan(tmp_path: Path) -> None:
    ports = {name: free_port() for name in (*SERVICES, "nats", "smtp", "mail")}
    stack = start_dev(tmp_path, ports)
    assert stack.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + 90
    while not any("Ctrl-C" in line for line in output):
        line = stack.stdout.readline()
        assert line or stack.poll() is None, "".join(output)
        output.append(line)
        assert time.monotonic() < deadline, "".join(output)
    banner = "".join(output)
    for name in SERVICES:
        assert f"http://127.0.0.1:{ports[name]}" in banner
        assert httpx.get(f"http://127.0.0.1:{ports[name]}/readyz").status_code == 200
    assert f"nats://127.0.0.1:{ports['nats']}" in banner
    assert httpx.get(f"http://127.0.0.1:{ports['mail']}/api/messages").json()["received"] >= 0
    sign_in_page = httpx.get(f"http://127.0.0.1:{ports['console']}/login")
    assert sign_in_page.status_code == 200 and '<html lang="id">' in sign_in_page.text
    password = banner.split("sign in: admin / ")[1].split()[0]
    registry = f"http://127.0.0.1:{ports['registry']}"
    login = httpx.post(registry + "/auth/login", json={"username": "admin", "password": password})
    assert login.status_code == 200, login.text
    auth = {"authorization": f"Bearer {login.json()['access_token']}"}
    stats = httpx.get(registry + "/stats/accounts", headers=auth).json()
    assert stats["by_managed_by"] == {"government": 64, "independent": 56}

    def directory_size() -> int:
        page = httpx.get(
            f"http://127.0.0.1:{ports['events']}/directory/accounts", params={"limit": 500}
        ).json()
        return len(page["items"])

    deadline = time.monotonic() + 30
    while directory_size() < 120:
        assert time.monotonic() < deadline, "the demo accounts never reached the events service"
        time.sleep(0.2)
    children = psutil.Process(stack.pid).children(recursive=True)
    assert len(children) >= 7  # four services, the console, the mail catcher and nats-server

    stack.send_signal(signal.SIGINT)
    assert stack.wait(timeout=60) == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"orphans left: {alive}"
    for name in SERVICES:
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{ports[name]}/healthz", timeout=1)


def test_a_taken_port_gives_a_clear_message(tmp_path: Path) -> None:
    ports = {name: free_port() for name in (*SERVICES, "nats", "smtp", "mail")}
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports["events"]))
        squatter.listen()
        stack = start_dev(tmp_path, ports)
        out, _ = stack.communicate(timeout=60)
    assert stack.returncode == 2
    assert f"events ({ports['events']})" in out
    assert "already in use" in out
