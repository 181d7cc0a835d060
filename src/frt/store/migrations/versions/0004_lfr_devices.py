"""lfr: handheld devices, blue watchlist members, deployment wipes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DT = frt.store.base.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}")
    )


def upgrade() -> None:
    op.create_table(
        "lfr_devices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deployment_id", sa.String(length=32), nullable=False),
        sa.Column("officer_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolled_by", sa.String(length=32), nullable=False),
        sa.Column("enrolled_at", _DT, nullable=False),
        sa.Column("revoked_at", _DT, nullable=True),
        sa.Column("last_seen_at", _DT, nullable=True),
        _fk("lfr_devices", "deployment_id", "lfr_deployments.id"),
        _fk("lfr_devices", "officer_id", "users.id"),
        _fk("lfr_devices", "enrolled_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lfr_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lfr_devices_token_hash")),
    )
    with op.batch_alter_table("lfr_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lfr_devices_deployment_id"), ["deployment_id"], unique=False
        )

    op.create_table(
        "lfr_blue_members",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deployment_id", sa.String(length=32), nullable=False),
        sa.Column("enrolled_by", sa.String(length=32), nullable=False),
        sa.Column("consent", sa.Text(), nullable=False),
        sa.Column("consent_at", _DT, nullable=False),
        sa.Column("algorithm", sa.String(length=60), nullable=False),
        sa.Column("algorithm_version", sa.String(length=80), nullable=False),
        sa.Column("template_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("passes", sa.Integer(), nullable=False),
        _fk("lfr_blue_members", "deployment_id", "lfr_deployments.id"),
        _fk("lfr_blue_members", "enrolled_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lfr_blue_members")),
    )
    with op.batch_alter_table("lfr_blue_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lfr_blue_members_deployment_id"), ["deployment_id"], unique=False
        )

    op.create_table(
        "lfr_deployment_wipes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deployment_id", sa.String(length=32), nullable=False),
        sa.Column("wiped_at", _DT, nullable=False),
        sa.Column("watchlist_individuals", sa.Integer(), nullable=False),
        sa.Column("watchlist_images", sa.Integer(), nullable=False),
        sa.Column("blue_members", sa.Integer(), nullable=False),
        sa.Column("devices_revoked", sa.Integer(), nullable=False),
        _fk("lfr_deployment_wipes", "deployment_id", "lfr_deployments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lfr_deployment_wipes")),
        sa.UniqueConstraint("deployment_id", name=op.f("uq_lfr_deployment_wipes_deployment_id")),
    )


def downgrade() -> None:
    op.drop_table("lfr_deployment_wipes")
    with op.batch_alter_table("lfr_blue_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lfr_blue_members_deployment_id"))
    op.drop_table("lfr_blue_members")
    with op.batch_alter_table("lfr_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lfr_devices_deployment_id"))
    op.drop_table("lfr_devices")
