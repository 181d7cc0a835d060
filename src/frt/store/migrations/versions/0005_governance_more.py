"""governance: reference counters, the SRO's review outcome, who raised an image's Threshold

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_DT = frt.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gov_counters",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_gov_counters")),
    )
    with op.batch_alter_table("gov_policy_exceptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sro_outcome", sa.String(length=16), nullable=True))
    with op.batch_alter_table("lfr_watchlist_images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("threshold_raised_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("threshold_raised_at", _DT, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lfr_watchlist_images_threshold_raised_by_users"),
            "users",
            ["threshold_raised_by"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("lfr_watchlist_images", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_lfr_watchlist_images_threshold_raised_by_users"), type_="foreignkey"
        )
        batch_op.drop_column("threshold_raised_at")
        batch_op.drop_column("threshold_raised_by")
    with op.batch_alter_table("gov_policy_exceptions", schema=None) as batch_op:
        batch_op.drop_column("sro_outcome")
    op.drop_table("gov_counters")
