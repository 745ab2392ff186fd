from sinergi_events.adapters.tables import metadata
from sinergi_kit.migrations import run_env

run_env(metadata)
