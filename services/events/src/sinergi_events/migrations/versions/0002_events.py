"""Events, invitations, reminders, check-in, and the people and segments projections.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "walk_ins",
    "segment_sends",
    "scans",
    "invitations",
    "due_reminders",
    "segments",
    "people",
    "events",
)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title_id", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rsvp_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_starts_at", "events", ["starts_at"], unique=False)
    op.create_table(
        "people",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
    )
    op.create_table(
        "due_reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("audiences", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_due_reminders_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_reminders")),
        sa.UniqueConstraint(
            "event_id",
            "sequence",
            "offset_minutes",
            name=op.f("uq_due_reminders_event_id_sequence_offset_minutes"),
        ),
    )
    op.create_index(
        "ix_due_reminders_status_due_at", "due_reminders", ["status", "due_at"], unique=False
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=True),
        sa.Column("response", sa.String(length=20), nullable=False),
        sa.Column("seat", sa.String(length=20), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waitlist_position", sa.Integer(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased", sa.Boolean(), nullable=False),
        sa.Column("pass_version", sa.Integer(), nullable=False),
        sa.Column("pass_revoked", sa.Boolean(), nullable=False),
        sa.Column("inside", sa.Boolean(), nullable=False),
        sa.Column("first_entry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_invitations_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint(
            "event_id", "person_id", name=op.f("uq_invitations_event_id_person_id")
        ),
    )
    op.create_index(
        "ix_invitations_event_seat",
        "invitations",
        ["event_id", "seat", "waitlist_position"],
        unique=False,
    )
    op.create_index(
        "ix_invitations_offer_expires_at", "invitations", ["offer_expires_at"], unique=False
    )
    op.create_index("ix_invitations_person_id", "invitations", ["person_id"], unique=False)
    op.create_table(
        "scans",
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("invitation_id", sa.Uuid(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_scans_event_id_events")),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_scans")),
    )
    op.create_index("ix_scans_event_id", "scans", ["event_id", "scanned_at"], unique=False)
    op.create_table(
        "segment_sends",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("segment_name", sa.String(length=200), nullable=False),
        sa.Column("segment_version", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_segment_sends_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_sends")),
    )
    op.create_table(
        "walk_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_walk_ins_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_ins")),
    )
    op.create_index("ix_walk_ins_event_id", "walk_ins", ["event_id"], unique=False)
    op.create_index("ix_walk_ins_person_id", "walk_ins", ["person_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
