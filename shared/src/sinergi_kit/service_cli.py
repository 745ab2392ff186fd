"""The command line every service gets: serve, migrate, replay the outbox, purge it."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

import typer
import uvicorn

from sinergi_kit.clock import as_utc
from sinergi_kit.db import Database
from sinergi_kit.dead_letter_cli import build_dead_letter_cli
from sinergi_kit.logging import configure_logging
from sinergi_kit.messaging.outbox import purge_published, replay_since
from sinergi_kit.runtime import ServiceDefinition, create_app, migrate


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def build_service_cli(make_definition: Callable[[], ServiceDefinition]) -> typer.Typer:
    cli = typer.Typer(add_completion=False, no_args_is_help=True)
    cli.add_typer(build_dead_letter_cli(make_definition), name="dead-letters")

    @cli.command()
    def serve(
        no_migrate: bool = typer.Option(False, help="Skip migrations (a job ran them)."),
    ) -> None:
        """Run the HTTP API, the outbox relay and the consumers."""
        definition = make_definition()
        settings = definition.settings
        if not port_is_free(settings.http_host, settings.http_port):
            typer.echo(
                f"Port {settings.http_port} on {settings.http_host} is already in use; "
                f"set SINERGI_{definition.name.upper()}_HTTP_PORT to another port.",
                err=True,
            )
            raise typer.Exit(code=2)
        if not no_migrate:
            migrate(definition)
        app = create_app(definition)
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )

    @cli.command("migrate")
    def migrate_command() -> None:
        """Upgrade the database to the newest migration."""
        definition = make_definition()
        configure_logging(definition.name, definition.settings.log_format)
        migrate(definition)
        typer.echo(f"{definition.name}: database at head")

    @cli.command("replay-outbox")
    def replay_outbox(
        since: datetime = typer.Option(
            ..., help="Republish events written since this time (UTC if no offset)."
        ),
    ) -> None:
        """Mark outbox rows since a time unpublished; the running relay sends them again."""
        definition = make_definition()

        async def run() -> int:
            db = Database(definition.settings.resolved_database_url())
            try:
                return await replay_since(db, definition.tables, as_utc(since))
            finally:
                await db.dispose()

        typer.echo(f"{asyncio.run(run())} events scheduled for republishing")

    @cli.command("purge-outbox")
    def purge_outbox(older_than_days: int = typer.Option(7, min=0)) -> None:
        """Delete published outbox rows older than the given age."""
        definition = make_definition()

        async def run() -> int:
            db = Database(definition.settings.resolved_database_url())
            try:
                return await purge_published(
                    db, definition.tables, older_than=timedelta(days=older_than_days)
                )
            finally:
                await db.dispose()

        typer.echo(f"{asyncio.run(run())} published rows purged")

    return cli
