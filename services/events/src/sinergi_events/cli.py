from sinergi_events.app import definition
from sinergi_kit.service_cli import build_service_cli

app = build_service_cli(definition)
