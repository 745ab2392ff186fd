"""The messaging tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op

from sinergi_kit.messaging.migration_steps import create_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()


def downgrade() -> None:
    for table in ("dead_letters", "inbox", "outbox"):
        op.drop_table(table)
