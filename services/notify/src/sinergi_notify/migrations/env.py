from sinergi_kit.migrations import run_env
from sinergi_notify.adapters.tables import metadata

run_env(metadata)
