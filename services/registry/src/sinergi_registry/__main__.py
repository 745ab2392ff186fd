from sinergi_registry.cli import app

app()
