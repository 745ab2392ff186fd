"""The images' Dockerfiles, read with BuildKit's own parser, and their install step run here."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dockerfile
import pytest

REPO = Path(__file__).resolve().parents[2]
APP_SERVICES = {"registry": 8101, "events": 8102, "notify": 8103, "factcheck": 8104}
SERVED_IMAGES = APP_SERVICES | {"console": 8100}
DOCKERFILES = {name: REPO / "services" / name / "Dockerfile" for name in SERVED_IMAGES}
DOCKERFILES["ops"] = REPO / "deploy" / "ops" / "Dockerfile"
PINNED_BASE = re.compile(r"^python:3\.11\.\d+-slim-bookworm$")
DEV_ONLY = ("pytest", "ruff", "mypy", "testcontainers", "kubernetes_validate")


def parse(path: Path) -> list[dockerfile.Command]:
    return list(dockerfile.parse_file(str(path)))


def stages(commands: list[dockerfile.Command]) -> list[list[dockerfile.Command]]:
    starts = [i for i, c in enumerate(commands) if c.cmd == "FROM"]
    return [commands[a:b] for a, b in zip(starts, [*starts[1:], len(commands)], strict=True)]


def dockerignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    parts = Path(path).parts
    candidates = {"/".join(parts[: i + 1]) for i in range(len(parts))}
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        for candidate in candidates:
            tails = {"/".join(candidate.split("/")[j:]) for j in range(len(parts))}
            if fnmatch.fnmatch(candidate, pattern) or (
                pattern.startswith("**/") and any(fnmatch.fnmatch(t, bare) for t in tails)
            ):
                return True
    return False


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_image_is_multi_stage_slim_pinned_and_non_root(name: str) -> None:
    commands = parse(DOCKERFILES[name])
    args = dict(c.value[0].split("=", 1) for c in commands if c.cmd == "ARG" and "=" in c.value[0])
    assert PINNED_BASE.match(args["PYTHON_IMAGE"])
    build, runtime = stages(commands)
    assert build[0].value == ("${PYTHON_IMAGE}", "AS", "build")
    assert runtime[0].value == ("${PYTHON_IMAGE}", "AS", "runtime")
    user = [c.value[0] for c in runtime if c.cmd == "USER"]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert any(c.cmd == "COPY" and c.flags == ("--from=build",) for c in runtime)
    package = "--all-packages" if name == "ops" else f"--package sinergi-{name}"
    syncs = [c.value[0] for c in build if c.cmd == "RUN" and "uv sync" in c.value[0]]
    assert syncs and all(f"uv sync --frozen {package} --no-dev" in run for run in syncs)


@pytest.mark.parametrize("name", sorted(SERVED_IMAGES))
def test_service_image_serves_its_port_with_a_health_check(name: str) -> None:
    runtime = stages(parse(DOCKERFILES[name]))[-1]
    by_cmd = {c.cmd: c for c in runtime}
    assert by_cmd["ENTRYPOINT"].value == ("python", "-m", f"sinergi_{name}")
    assert by_cmd["CMD"].value == ("serve",)
    assert by_cmd["EXPOSE"].value == (str(SERVED_IMAGES[name]),)
    healthcheck = by_cmd["HEALTHCHECK"]
    assert healthcheck.value[0] == "CMD" and "/healthz" in healthcheck.value[-1]
    env = dict(zip(by_cmd["ENV"].value[::2], by_cmd["ENV"].value[1::2], strict=True))
    prefix = f"SINERGI_{name.upper()}_"
    assert env[prefix + "HTTP_HOST"] == "0.0.0.0"
    assert env[prefix + "HTTP_PORT"] == str(SERVED_IMAGES[name])
    assert env[prefix + "LOG_FORMAT"] == "json"


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_every_copied_path_exists_and_is_in_the_build_context(name: str) -> None:
    patterns = dockerignore_patterns()
    for command in parse(DOCKERFILES[name]):
        if command.cmd != "COPY" or command.flags:
            continue
        for source in command.value[:-1]:
            assert (REPO / source).exists(), source
            assert not ignored(source.rstrip("/"), patterns), source


def test_the_build_context_leaves_out_local_state() -> None:
    patterns = dockerignore_patterns()
    for path in (".venv", ".git", "var", "services/registry/tests", "shared/src/x/__pycache__"):
        assert ignored(path, patterns), path
    for path in ("uv.lock", "shared/src/sinergi_kit/db.py", "services/events/pyproject.toml"):
        assert not ignored(path, patterns), path


def install_like_the_image(name: str, target: Path) -> subprocess.CompletedProcess[str]:
    """The Dockerfile's final `uv sync`, run here into a fresh environment, then the service's
    entrypoint: proves the package installs from the lock without dev dependencies and runs."""
    build = stages(parse(DOCKERFILES[name]))[0]
    sync = [c.value[0] for c in build if c.cmd == "RUN" and "--no-editable" in c.value[0]][-1]
    uv = REPO / ".tools" / "bin" / "uv"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))},
        "UV_PROJECT_ENVIRONMENT": str(target),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    argv = shlex.split(sync)
    assert argv[:2] == ["uv", "sync"]
    installed = subprocess.run(
        [str(uv), *argv[1:], "--python", sys.executable, "--quiet"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        return installed
    return subprocess.run(
        [str(target / "bin" / "python"), "-m", f"sinergi_{name}", "--help"],
        cwd=target,
        env={k: v for k, v in env.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_each_image_installs_from_the_lock_without_dev_dependencies(tmp_path: Path) -> None:
    uv = REPO / ".tools" / "bin" / "uv"
    if not uv.exists():
        pytest.fail("uv is installed by `make install` under .tools/")
    with ThreadPoolExecutor(max_workers=len(APP_SERVICES)) as pool:
        results = dict(
            zip(
                APP_SERVICES,
                pool.map(lambda n: install_like_the_image(n, tmp_path / n), APP_SERVICES),
                strict=True,
            )
        )
    for name, result in results.items():
        assert result.returncode == 0, (name, result.stdout[-2000:], result.stderr[-2000:])
        assert "serve" in result.stdout and "migrate" in result.stdout
        site = next((tmp_path / name / "lib").glob("python3*/site-packages"))
        present = {p.name for p in site.iterdir()}
        assert not present & set(DEV_ONLY), name
        # --no-editable: the code is inside the environment, not pointing at this checkout.
        assert f"sinergi_{name}" in present and "sinergi_kit" in present
