"""Intake rate buckets shared by every replica, overdue alerts sent, the projection of the
registry's accounts, people and segments, and campaigns aimed at a segment.

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
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("full_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_buckets")),
    )
    op.create_index("ix_rate_buckets_full_at", "rate_buckets", ["full_at"])
    op.create_table(
        "overdue_alerts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "due_at", name=op.f("pk_overdue_alerts")),
    )
    op.create_table(
        "registry_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_accounts")),
    )
    op.create_table(
        "registry_people",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_people")),
    )
    op.create_table(
        "registry_segments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_segments")),
    )
    op.add_column("share_tasks", sa.Column("segment_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("share_tasks", "segment_id")
    op.drop_table("registry_segments")
    op.drop_table("registry_people")
    op.drop_table("registry_accounts")
    op.drop_table("overdue_alerts")
    op.drop_index("ix_rate_buckets_full_at", table_name="rate_buckets")
    op.drop_table("rate_buckets")
