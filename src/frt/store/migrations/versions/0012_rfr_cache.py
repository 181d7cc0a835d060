"""RFR after the search (issue 11): the Unresolved Crime Cache, RFR retention holds, scheduled
usage reports and the in-app inbox

Revision ID: 0012r
Revises: 0011_live
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0012r"
down_revision = "0012_samples"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_name", sa.String(length=200), nullable=False),
        sa.Column("attachment_type", sa.String(length=80), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_inbox_messages_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_messages")),
    )
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_messages_user_id"), ["user_id"], unique=False)

    op.create_table(
        "retention_rfr_holds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=24), nullable=False),
        sa.Column("object_id", sa.String(length=32), nullable=False),
        sa.Column("ground", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=32), nullable=False),
        sa.Column("placed_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=32), nullable=True),
        sa.Column("released_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["placed_by"], ["users.id"], name=op.f("fk_retention_rfr_holds_placed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["released_by"], ["users.id"], name=op.f("fk_retention_rfr_holds_released_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rfr_holds")),
    )
    with op.batch_alter_table("retention_rfr_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_rfr_holds_object_id"), ["object_id"], unique=False
        )

    op.create_table(
        "rfr_report_schedules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("recipient_ids", sa.JSON(), nullable=False),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_due", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_rfr_report_schedules_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_report_schedules")),
    )
    op.create_table(
        "rfr_cache_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("unknown_person", sa.Boolean(), nullable=False),
        sa.Column("offence", sa.String(length=120), nullable=True),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("requested_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_rank", sa.String(length=40), nullable=False),
        sa.Column("decided_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("review_due", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("searched_to", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("research_runs", sa.Integer(), nullable=False),
        sa.Column("research_hits", sa.Integer(), nullable=False),
        sa.Column("removed_by", sa.String(length=32), nullable=True),
        sa.Column("removed_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_rfr_cache_entries_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_rfr_cache_entries_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by"], ["users.id"], name=op.f("fk_rfr_cache_entries_removed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_cache_entries_search_id_rfr_searches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_cache_entries")),
    )
    with op.batch_alter_table("rfr_cache_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_cache_entries_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rfr_cache_entries_search_id"), ["search_id"], unique=False
        )

    with op.batch_alter_table("rfr_search_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cache_entry_id", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_rfr_search_steps_cache_entry_id"), ["cache_entry_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_rfr_search_steps_cache_entry_id_rfr_cache_entries"),
            "rfr_cache_entries",
            ["cache_entry_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("rfr_search_steps", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rfr_search_steps_cache_entry_id_rfr_cache_entries"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_rfr_search_steps_cache_entry_id"))
        batch_op.drop_column("cache_entry_id")

    with op.batch_alter_table("rfr_cache_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_cache_entries_search_id"))
        batch_op.drop_index(batch_op.f("ix_rfr_cache_entries_owner_id"))

    op.drop_table("rfr_cache_entries")
    op.drop_table("rfr_report_schedules")
    with op.batch_alter_table("retention_rfr_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_rfr_holds_object_id"))

    op.drop_table("retention_rfr_holds")
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_messages_user_id"))

    op.drop_table("inbox_messages")
