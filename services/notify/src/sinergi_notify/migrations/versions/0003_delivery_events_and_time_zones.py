"""A version per notification (its delivery events are published with it) and the
recipient's own time zone from the registry.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "notifications", sa.Column("version", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("recipients", sa.Column("timezone", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("timezone")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("version")
