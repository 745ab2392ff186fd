from sinergi_factcheck.cli import app

app()
