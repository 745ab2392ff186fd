from sinergi_factcheck.adapters.tables import metadata
from sinergi_kit.migrations import run_env

run_env(metadata)
