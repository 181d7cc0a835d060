"""counter samples: a camera's running counts over time, for the metrics page's charts (issue 12)

Revision ID: 0012_samples
Revises: 0011_live
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0012_samples"
down_revision = "0012i"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lfr_counter_samples",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deployment_id", sa.String(length=32), nullable=False),
        sa.Column("camera", sa.String(length=120), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("faces_detected", sa.Integer(), nullable=False),
        sa.Column("templates", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["lfr_deployments.id"],
            name=op.f("fk_lfr_counter_samples_deployment_id_lfr_deployments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lfr_counter_samples")),
    )
    with op.batch_alter_table("lfr_counter_samples", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lfr_counter_samples_deployment_id"), ["deployment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lfr_counter_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lfr_counter_samples_deployment_id"))
    op.drop_table("lfr_counter_samples")
