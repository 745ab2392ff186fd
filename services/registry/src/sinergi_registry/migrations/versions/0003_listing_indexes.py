"""Listing indexes on (sort key, id), so a sorted page is read off the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, column in (("sort_name", "sort_name"), ("followers", "followers")):
        op.drop_index(f"ix_accounts_{name}", table_name="accounts")
        op.create_index(f"ix_accounts_{name}", "accounts", [column, "id"])


def downgrade() -> None:
    for name, column in (("sort_name", "sort_name"), ("followers", "followers")):
        op.drop_index(f"ix_accounts_{name}", table_name="accounts")
        op.create_index(f"ix_accounts_{name}", "accounts", [column])
