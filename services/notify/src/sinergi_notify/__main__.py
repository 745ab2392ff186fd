from sinergi_notify.cli import app

app()
