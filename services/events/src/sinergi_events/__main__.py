from sinergi_events.cli import app

app()
