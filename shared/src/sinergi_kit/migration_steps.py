"""Frozen migration steps for the kit's database objects beside the messaging tables (see
``sinergi_kit.messaging.migration_steps``), called from each service's Alembic history
that uses them. A change comes as a new step; a step never changes."""

from __future__ import annotations

from alembic import op

from sinergi_kit.driver import CHANGED_SINCE_READ

CHANGED_SINCE_READ_FUNCTION_V1 = f"""
CREATE OR REPLACE FUNCTION {CHANGED_SINCE_READ}(table_name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'a row of % changed since it was read', table_name
        USING ERRCODE = 'serialization_failure';
END
$$
"""


def create_changed_since_read_function_v1() -> None:
    """On PostgreSQL alone: elsewhere a guarded update has nothing to check."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CHANGED_SINCE_READ_FUNCTION_V1)


def drop_changed_since_read_function() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {CHANGED_SINCE_READ}(text)")
