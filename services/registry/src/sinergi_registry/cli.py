from sinergi_kit.service_cli import build_service_cli
from sinergi_registry.app import definition

app = build_service_cli(definition)
