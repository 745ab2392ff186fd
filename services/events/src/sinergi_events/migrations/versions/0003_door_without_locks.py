"""The function that fails a door batch's write when an invitation it read has changed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from sinergi_kit.migration_steps import (
    create_changed_since_read_function_v1,
    drop_changed_since_read_function,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_changed_since_read_function_v1()


def downgrade() -> None:
    drop_changed_since_read_function()
