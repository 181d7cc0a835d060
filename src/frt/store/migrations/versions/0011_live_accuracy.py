"""evaluation cohorts: the score-normalisation cohort recorded with an evaluation (issue 15)

Revision ID: 0011_live
Revises: 0010r
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0011_live"
down_revision = "0010r"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation_cohort",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("algorithm", sa.String(length=100), nullable=False),
        sa.Column("algorithm_version", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("templates_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_cohort")),
    )
    with op.batch_alter_table("evaluation_cohort", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_cohort_digest"), ["digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evaluation_cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_cohort_digest"))
    op.drop_table("evaluation_cohort")
