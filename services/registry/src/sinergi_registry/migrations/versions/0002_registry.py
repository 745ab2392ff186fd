"""Organisations, people, segments, operator users, audit log; accounts keep their full state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

from sinergi_kit.http.idempotency import create_idempotency_table_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _backfill_account_state() -> None:
    accounts = sa.table(
        "accounts",
        *(
            sa.column(name)
            for name in (
                "id",
                "version",
                "platform",
                "handle",
                "display_name",
                "url",
                "managed_by",
                "organization_id",
                "category",
                "district",
                "tags",
                "verification_status",
                "created_at",
                "updated_at",
                "state",
                "sort_name",
            )
        ),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(accounts)).mappings().all():
        state = {
            key: row[key]
            for key in (
                "version",
                "platform",
                "handle",
                "display_name",
                "url",
                "managed_by",
                "category",
                "district",
                "verification_status",
            )
        }
        tags = row["tags"]
        state |= {
            "id": str(row["id"]),
            "organization_id": str(row["organization_id"]) if row["organization_id"] else None,
            "tags": json.loads(tags) if isinstance(tags, str) else tags,
            "created_at": str(row["created_at"]),
            "updated_at": str(row["updated_at"]),
        }
        bind.execute(
            accounts.update()
            .where(accounts.c.id == row["id"])
            .values(state=json.dumps(state), sort_name=row["display_name"].casefold())
        )


def upgrade() -> None:
    create_idempotency_table_v1()
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("sort_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("followers", sa.Integer(), nullable=False, server_default="-1"))
        batch.add_column(sa.Column("organization_kind", sa.String(30), nullable=True))
        batch.add_column(sa.Column("state", sa.Text(), nullable=False, server_default="{}"))
    _backfill_account_state()
    op.create_index("ix_accounts_organization_id", "accounts", ["organization_id"])
    op.create_index("ix_accounts_sort_name", "accounts", ["sort_name"])
    op.create_index("ix_accounts_followers", "accounts", ["followers"])
    op.create_index("ix_accounts_created", "accounts", ["created_at", "id"])
    op.create_index("ix_accounts_district", "accounts", ["district"])

    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("short_name_key", sa.String(50), nullable=True),
        sa.Column("district", sa.String(100), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        sa.UniqueConstraint("name_key", name="uq_organizations_name_key"),
    )
    op.create_table(
        "account_terms",
        sa.Column(
            "term",
            sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_account_terms_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "account_id", name="pk_account_terms"),
    )
    op.create_index("ix_account_terms_account", "account_terms", ["account_id"])
    op.create_table(
        "follower_snapshots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_follower_snapshots_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_follower_snapshots"),
    )
    op.create_index(
        "ix_follower_snapshots_account", "follower_snapshots", ["account_id", "observed_at"]
    )
    op.create_table(
        "verification_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_verification_changes_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_verification_changes"),
    )
    op.create_index("ix_verification_changes_account", "verification_changes", ["account_id", "at"])
    op.create_table(
        "people",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sort_name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("whatsapp", sa.String(20), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("email", name="uq_people_email"),
        sa.UniqueConstraint("whatsapp", name="uq_people_whatsapp"),
    )
    op.create_index("ix_people_sort_name", "people", ["sort_name"])
    op.create_index("ix_people_organization_id", "people", ["organization_id"])
    op.create_table(
        "person_accounts",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_person_accounts_person_id_people",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_person_accounts_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "account_id", name="pk_person_accounts"),
    )
    op.create_index("ix_person_accounts_account", "person_accounts", ["account_id"])
    op.create_table(
        "segments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_segments"),
        sa.UniqueConstraint("name_key", name="uq_segments_name_key"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(500), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("resource_type", sa.String(30), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_resource", "audit_log", ["resource_type", "resource_id"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "api_tokens",
        "users",
        "segments",
        "person_accounts",
        "people",
        "verification_changes",
        "follower_snapshots",
        "account_terms",
        "organizations",
        "idempotency_keys",
    ):
        op.drop_table(table)
    for index in (
        "ix_accounts_district",
        "ix_accounts_created",
        "ix_accounts_followers",
        "ix_accounts_sort_name",
        "ix_accounts_organization_id",
    ):
        op.drop_index(index, table_name="accounts")
    with op.batch_alter_table("accounts") as batch:
        for column in ("state", "organization_kind", "followers", "sort_name"):
            batch.drop_column(column)
