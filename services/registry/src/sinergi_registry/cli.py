"""``sinergi-registry``: the kit's service commands plus creating the first admin and
loading the demo data."""

from __future__ import annotations

import asyncio

import typer

from sinergi_kit.auth import Role
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.runtime import ServiceRuntime, migrate
from sinergi_kit.service_cli import build_service_cli
from sinergi_registry.app import definition
from sinergi_registry.service_layer.common import SYSTEM
from sinergi_registry.service_layer.demo import load_demo
from sinergi_registry.service_layer.users import CreateUser, create_user

app = build_service_cli(definition)


@app.command("create-admin")
def create_admin(
    username: str = typer.Option("admin"),
    name: str = typer.Option("Administrator"),
    password: str = typer.Option(
        ..., envvar="SINERGI_REGISTRY_ADMIN_PASSWORD", prompt=True, hide_input=True
    ),
) -> None:
    """Create an admin user (once; an existing username is left as it is)."""
    service = definition()
    migrate(service)

    async def run() -> bool:
        runtime = ServiceRuntime(service)
        try:
            async with runtime.uow() as uow:
                await create_user(
                    uow,
                    CreateUser(username=username, name=name, password=password, roles=[Role.ADMIN]),
                    SYSTEM,
                )
        except ProblemError as exc:
            if exc.code == "user_exists":
                return False
            raise
        finally:
            await runtime.db.dispose()
        return True

    created = asyncio.run(run())
    port = service.settings.http_port
    typer.echo(
        f"{'Admin dibuat / admin created' if created else 'Admin sudah ada / admin exists'}: "
        f"{username}\n  curl -X POST http://127.0.0.1:{port}/auth/login "
        "-H 'content-type: application/json' "
        f'-d \'{{"username":"{username}","password":"…"}}\''
    )


@app.command("load-demo")
def load_demo_command() -> None:
    """Load the demo data from the setting (safe to repeat)."""
    service = definition()
    migrate(service)

    async def run() -> tuple[int, int, int]:
        runtime = ServiceRuntime(service)
        try:
            return await load_demo(runtime.uow)
        finally:
            await runtime.db.dispose()

    organizations, accounts, people = asyncio.run(run())
    typer.echo(f"demo: +{organizations} organisations, +{accounts} accounts, +{people} people")
