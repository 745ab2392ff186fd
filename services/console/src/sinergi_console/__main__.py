from sinergi_console.cli import app

app()
