"""Headless Chromium (Debian's chromium and chromium-driver) driving the console against the
real platform: the four services and the console as processes on SQLite, with the dev stack's
demo data and a first admin."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.testing.plugin import require
from sinergi_kit.testing.processes import ServiceProcess

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SERVICES = ("registry", "events", "notify", "factcheck")


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]
    admin_password: str

    @property
    def console(self) -> str:
        return self.urls["console"]

    def admin_headers(self) -> dict[str, str]:
        login = httpx.post(
            self.urls["registry"] + "/auth/login",
            json={"username": "admin", "password": self.admin_password},
        )
        login.raise_for_status()
        return {"authorization": f"Bearer {login.json()['access_token']}"}


def seed_registry(registry: ServiceProcess, password: str) -> None:
    """The dev stack's demo data and first admin."""
    env = registry.env() | {"SINERGI_REGISTRY_ADMIN_PASSWORD": password}
    for command in ("load-demo", "create-admin"):
        done = subprocess.run(
            [sys.executable, "-m", "sinergi_registry", command],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The four services and the console as processes on SQLite, one NATS of their own."""
    var = tmp_path_factory.mktemp("browser")
    nats_server = EmbeddedNats(var / "nats", log_file=var / "nats.log")
    nats_server.start()
    shared = {"SINERGI_VAR_DIR": str(var)}
    services = {
        name: ServiceProcess(
            name,
            f"sqlite+aiosqlite:///{var / name}.db",
            nats_server.url,
            var / f"{name}.log",
            extra_env=shared,
        )
        for name in SERVICES
    }
    console = ServiceProcess(
        "console",
        "",
        "",
        var / "console.log",
        extra_env=shared
        | {f"SINERGI_CONSOLE_{name.upper()}_URL": s.base_url for name, s in services.items()},
    )
    try:
        with ThreadPoolExecutor(max_workers=len(services)) as pool:
            list(pool.map(lambda service: service.start(timeout_s=180), services.values()))
        password = secrets.token_urlsafe(12)
        seed_registry(services["registry"], password)
        console.start(timeout_s=120)
        urls = {name: service.base_url for name, service in services.items()}
        yield Stack(urls | {"console": console.base_url}, password)
    finally:
        for process in (console, *services.values()):
            process.stop()
        nats_server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[WebDriver]:
    require(
        shutil.which(CHROMIUM) is not None and shutil.which(CHROMEDRIVER) is not None,
        "Debian's chromium and chromium-driver are not installed",
    )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"sinergi-chromium-{os.getpid()}"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call" and getattr(report, "failed", False):
        driver = getattr(item, "funcargs", {}).get("browser")
        if isinstance(driver, WebDriver):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", item.nodeid)
            driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    return report
