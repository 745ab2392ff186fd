"""``sinergi-console``: serve the console."""

from __future__ import annotations

import typer
import uvicorn

from sinergi_console.app import create_app
from sinergi_console.settings import ConsoleSettings
from sinergi_kit.logging import configure_logging
from sinergi_kit.service_cli import port_is_free

app = typer.Typer(add_completion=False, no_args_is_help=True)


@app.callback()
def main() -> None:
    """Sinergi's admin console."""


@app.command()
def serve() -> None:
    """Serve the console's pages."""
    settings = ConsoleSettings()
    if not port_is_free(settings.http_host, settings.http_port):
        typer.echo(
            f"Port {settings.http_port} on {settings.http_host} is already in use; "
            "set SINERGI_CONSOLE_HTTP_PORT to another port.",
            err=True,
        )
        raise typer.Exit(code=2)
    configure_logging("console", settings.log_format, settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )
