"""``sinergi``: the platform's command line (topology, contracts, the embedded dev stack)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nats
import typer

from sinergi_kit.contracts import catalog
from sinergi_kit.logging import configure_logging
from sinergi_kit.messaging.topology import CONSUMERS, STREAMS, provision

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sinergi platform tools.")
topology = typer.Typer(no_args_is_help=True, help="JetStream streams and consumers.")
contracts = typer.Typer(no_args_is_help=True, help="Event contracts and their documents.")
app.add_typer(topology, name="topology")
app.add_typer(contracts, name="contracts")

NATS_URL = typer.Option("nats://127.0.0.1:4223", envvar="SINERGI_NATS_URL")


@topology.command("provision")
def provision_command(
    nats_url: str = NATS_URL,
    replicas: int = typer.Option(1, min=1, max=5, help="Stream replicas (3 on a cluster)."),
) -> None:
    """Create missing streams and consumers and reconcile drift. Safe to repeat."""
    configure_logging("ops", "console")

    async def run() -> None:
        nc = await nats.connect(nats_url)
        try:
            report = await provision(nc.jetstream(), replicas=replicas)
        finally:
            await nc.close()
        for label in report.created:
            typer.echo(f"created    {label}")
        for label in report.updated:
            typer.echo(f"reconciled {label}")
        for label in report.unchanged:
            typer.echo(f"unchanged  {label}")

    asyncio.run(run())


@topology.command("show")
def show_command(nats_url: str = NATS_URL) -> None:
    """Streams with their message counts; consumers with pending and unacknowledged counts."""

    async def run() -> None:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        try:
            for spec in STREAMS.values():
                try:
                    info = await js.stream_info(spec.name)
                except nats.js.errors.NotFoundError:
                    typer.echo(f"{spec.name}: missing")
                    continue
                typer.echo(
                    f"{spec.name}: {info.state.messages} messages, last seq {info.state.last_seq}"
                )
            for consumer in CONSUMERS:
                try:
                    cinfo = await js.consumer_info(consumer.stream, consumer.durable)
                except nats.js.errors.NotFoundError:
                    typer.echo(f"  {consumer.durable}: missing")
                    continue
                typer.echo(
                    f"  {consumer.durable} on {consumer.stream}: "
                    f"lag {cinfo.num_pending}, unacked {cinfo.num_ack_pending}, "
                    f"redelivered {cinfo.num_redelivered}"
                )
        finally:
            await nc.close()

    asyncio.run(run())


@topology.command("delete-consumer")
def delete_consumer_command(stream: str, durable: str, nats_url: str = NATS_URL) -> None:
    """Delete a consumer whose config cannot be updated in place (provision recreates it)."""

    async def run() -> None:
        nc = await nats.connect(nats_url)
        try:
            await nc.jetstream().delete_consumer(stream, durable)
        finally:
            await nc.close()

    asyncio.run(run())
    typer.echo(f"deleted {stream}/{durable}")


@contracts.command("export")
def export_command(
    out: Path = typer.Option(Path("docs/contracts"), help="Folder for the generated files."),
) -> None:
    """Write every contract's JSON Schema, the AsyncAPI document and docs/events.md."""
    out.mkdir(parents=True, exist_ok=True)
    for event_type, schema in catalog.json_schemas().items():
        (out / f"{event_type}.schema.json").write_text(
            json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    (out / "asyncapi.json").write_text(
        json.dumps(catalog.asyncapi(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out.parent / "events.md").write_text(catalog.markdown(), encoding="utf-8")
    typer.echo(f"wrote {len(catalog.json_schemas())} schemas, asyncapi.json and events.md")


@app.command("dev")
def dev_command(
    var_dir: Path = typer.Option(Path("var"), help="Where databases, the NATS store and logs go."),
) -> None:
    """Run the whole platform on this machine (embedded NATS, SQLite). Ctrl-C stops it."""
    from sinergi_kit.devstack import run_dev_stack

    raise typer.Exit(code=run_dev_stack(var_dir))


if __name__ == "__main__":
    app()
