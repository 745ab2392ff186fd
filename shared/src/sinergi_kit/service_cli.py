"""The command line every service gets: serve, relay, migrate, replay the outbox, purge old
outbox and inbox rows, dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import math
import socket
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import typer
import uvicorn
from sqlalchemy import delete

from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.db import Database
from sinergi_kit.dead_letter_cli import build_dead_letter_cli
from sinergi_kit.logging import configure_logging
from sinergi_kit.messaging.outbox import purge_published, replay_since
from sinergi_kit.messaging.tables import MessagingTables
from sinergi_kit.messaging.topology import DAY_S, STREAMS
from sinergi_kit.relay_process import serve_relay
from sinergi_kit.runtime import (
    RelayPlacementError,
    ServiceDefinition,
    create_app,
    migrate,
)

# JetStream keeps a message this long; an inbox row older than that can no longer meet a
# redelivery of its message, not even when a consumer is recreated and reads its stream again.
INBOX_RETENTION_DAYS = math.ceil(max(spec.max_age_s for spec in STREAMS.values()) / DAY_S)


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


async def purge_inbox(db: Database, tables: MessagingTables, *, older_than: timedelta) -> int:
    """Delete inbox rows processed before ``now - older_than``; returns how many."""
    cutoff = utcnow() - older_than
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            delete(tables.inbox).where(tables.inbox.c.processed_at < cutoff)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@contextlib.contextmanager
def refused_with_its_reason() -> Iterator[None]:
    """A relay placed where it cannot run ends the command with its reason (exit 2)."""
    try:
        yield
    except RelayPlacementError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None


def build_service_cli(make_definition: Callable[[], ServiceDefinition]) -> typer.Typer:
    cli = typer.Typer(add_completion=False, no_args_is_help=True)
    cli.add_typer(build_dead_letter_cli(make_definition), name="dead-letters")

    @cli.command()
    def serve(
        no_migrate: bool = typer.Option(False, help="Skip migrations (a job ran them)."),
    ) -> None:
        """Run the HTTP API, the consumers and (unless OUTBOX_RELAY=own_process) the relay."""
        definition = make_definition()
        settings = definition.settings
        if not port_is_free(settings.http_host, settings.http_port):
            typer.echo(
                f"Port {settings.http_port} on {settings.http_host} is already in use; "
                f"set SINERGI_{definition.name.upper()}_HTTP_PORT to another port.",
                err=True,
            )
            raise typer.Exit(code=2)
        with refused_with_its_reason():
            app = create_app(definition)  # before migrating: a refused setting writes nothing
        if not no_migrate:
            migrate(definition)
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )

    @cli.command()
    def relay() -> None:
        """Run the outbox relay alone (with SINERGI_<SERVICE>_OUTBOX_RELAY=own_process)."""
        with refused_with_its_reason():
            serve_relay(make_definition())

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

    @cli.command("purge-inbox")
    def purge_inbox_command(
        older_than_days: int = typer.Option(
            INBOX_RETENTION_DAYS, min=1, help="Age in days; the default is the streams' max age."
        ),
        force: bool = typer.Option(False, help="Allow an age below the streams' max age."),
    ) -> None:
        """Delete inbox rows older than the given age (their messages have left JetStream)."""
        if older_than_days < INBOX_RETENTION_DAYS and not force:
            typer.echo(
                f"Ditolak: stream menyimpan pesan {INBOX_RETENTION_DAYS} hari; baris inbox yang "
                "lebih muda masih mencegah pemrosesan ganda. Pakai --force bila yakin. / "
                f"Refused: the streams keep messages for {INBOX_RETENTION_DAYS} days; younger "
                "inbox rows still prevent double processing. Use --force if you are sure.",
                err=True,
            )
            raise typer.Exit(code=2)
        definition = make_definition()

        async def run() -> int:
            db = Database(definition.settings.resolved_database_url())
            try:
                return await purge_inbox(
                    db, definition.tables, older_than=timedelta(days=older_than_days)
                )
            finally:
                await db.dispose()

        typer.echo(f"{asyncio.run(run())} inbox rows purged")

    return cli
