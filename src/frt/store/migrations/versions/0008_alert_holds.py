"""alert holds (DATA-01)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_alert_holds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("alert_id", sa.String(length=32), nullable=False),
        sa.Column("ground", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=32), nullable=False),
        sa.Column("placed_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=32), nullable=True),
        sa.Column("released_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["lfr_alerts.id"]),
        sa.ForeignKeyConstraint(["placed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["released_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("retention_alert_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_alert_holds_alert_id"), ["alert_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("retention_alert_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_alert_holds_alert_id"))
    op.drop_table("retention_alert_holds")
