"""``sinergi-<service> dead-letters``: list and replay a service's dead letters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import UUID

import typer

from sinergi_kit.messaging.dead_letters import list_dead_letters, replay_dead_letters
from sinergi_kit.runtime import ServiceDefinition, ServiceRuntime


def build_dead_letter_cli(make_definition: Callable[[], ServiceDefinition]) -> typer.Typer:
    cli = typer.Typer(no_args_is_help=True, help="Messages the service's consumers gave up on.")

    @cli.command("list")
    def list_command(
        include_resolved: bool = typer.Option(False, "--all", help="Include replayed ones."),
    ) -> None:
        """Show dead letters with their reason and error."""
        runtime = ServiceRuntime(make_definition())

        async def run() -> None:
            try:
                rows = await list_dead_letters(
                    runtime.db, runtime.definition.tables, include_resolved=include_resolved
                )
            finally:
                await runtime.db.dispose()
            for row in rows:
                state = "replayed" if row.resolved_at else "open"
                last_line = row.error.strip().splitlines()[-1] if row.error.strip() else ""
                typer.echo(
                    f"{row.id}  {row.created_at:%Y-%m-%d %H:%M}  {row.consumer}  "
                    f"{row.reason}  deliveries={row.deliveries}  {state}  {last_line}"
                )
            typer.echo(f"{len(rows)} dead letters")

        asyncio.run(run())

    @cli.command("replay")
    def replay_command(
        ids: list[str] = typer.Argument(None, help="Dead-letter ids; none: every open one."),
    ) -> None:
        """Apply dead letters again through the service's handlers; exit 1 if any still fails."""
        runtime = ServiceRuntime(make_definition())

        async def run() -> bool:
            try:
                outcomes = await replay_dead_letters(
                    runtime.db,
                    runtime.definition.tables,
                    runtime.consumers,
                    [UUID(i) for i in ids] if ids else None,
                )
            finally:
                await runtime.db.dispose()
            for outcome in outcomes:
                status = "replayed" if outcome.ok else f"failed: {outcome.error}"
                typer.echo(f"{outcome.dead_letter_id}  {status}")
            return all(outcome.ok for outcome in outcomes)

        if not asyncio.run(run()):
            raise typer.Exit(code=1)

    return cli
