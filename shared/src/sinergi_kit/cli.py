"""``sinergi``: the platform's command line: topology, contracts, health, the embedded dev stack."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
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
DEFAULT_SERVICE_URLS = {
    "registry": "http://127.0.0.1:8101",
    "events": "http://127.0.0.1:8102",
    "notify": "http://127.0.0.1:8103",
    "factcheck": "http://127.0.0.1:8104",
}


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


@dataclass(frozen=True)
class Probe:
    service: str
    url: str
    status: str
    latency_ms: float | None
    detail: str

    @property
    def ready(self) -> bool:
        return self.status == "ready"


async def probe_readiness(service: str, url: str, client: httpx.AsyncClient) -> Probe:
    started = time.perf_counter()
    try:
        response = await client.get(url.rstrip("/") + "/readyz")
    except httpx.HTTPError as exc:
        return Probe(service, url, "unreachable", None, type(exc).__name__)
    latency_ms = (time.perf_counter() - started) * 1000
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and isinstance(body, dict):
        checks = body.get("checks", {})
        detail = ", ".join(f"{key} {value}" for key, value in checks.items())
        return Probe(service, url, "ready", latency_ms, detail)
    detail = body.get("detail", "") if isinstance(body, dict) else ""
    return Probe(service, url, "not ready", latency_ms, f"HTTP {response.status_code} {detail}")


async def probe_all(targets: dict[str, str], timeout_s: float) -> list[Probe]:
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        return list(
            await asyncio.gather(
                *(probe_readiness(name, url, client) for name, url in targets.items())
            )
        )


def parse_targets(values: list[str]) -> dict[str, str]:
    if not values:
        return dict(DEFAULT_SERVICE_URLS)
    targets: dict[str, str] = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name or not url.startswith(("http://", "https://")):
            raise typer.BadParameter(f"expected NAME=http(s)://HOST:PORT, got {value!r}")
        targets[name] = url
    return targets


def render_table(probes: list[Probe]) -> str:
    header = ("SERVICE", "STATUS", "LATENCY", "URL", "DETAIL")
    rows = [header] + [
        (
            p.service,
            p.status,
            "-" if p.latency_ms is None else f"{p.latency_ms:.0f} ms",
            p.url,
            p.detail,
        )
        for p in probes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in rows
    )


@app.command("health")
def health_command(
    service: list[str] = typer.Option(
        [],
        "--service",
        "-s",
        envvar="SINERGI_HEALTH_SERVICES",
        help="NAME=URL of a service to check; repeat it. Default: the four services on "
        "127.0.0.1 at their default ports.",
    ),
    timeout: float = typer.Option(3.0, min=0.1, help="Seconds to wait for each answer."),
) -> None:
    """Check /readyz of every service and print a table; exit 1 when any is not ready."""
    probes = asyncio.run(probe_all(parse_targets(service), timeout))
    typer.echo(render_table(probes))
    down = [p.service for p in probes if not p.ready]
    if down:
        typer.echo(
            f"Belum siap / not ready: {', '.join(down)}",
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(f"Semua siap / all ready: {len(probes)}")


@app.command("dev")
def dev_command(
    var_dir: Path = typer.Option(Path("var"), help="Where databases, the NATS store and logs go."),
) -> None:
    """Run the whole platform on this machine (embedded NATS, SQLite). Ctrl-C stops it."""
    from sinergi_kit.devstack import run_dev_stack

    raise typer.Exit(code=run_dev_stack(var_dir))


if __name__ == "__main__":
    app()
