"""RFR search stamp: indexes from which a warm library index checks that it is current

Revision ID: 0012i
Revises: 0011_live
"""

from alembic import op

revision = "0012i"
down_revision = "0011_live"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rfr_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_rfr_templates_kind")
        batch_op.create_index(
            "ix_rfr_templates_kind", ["library_id", "algorithm", "version", "created_at"]
        )
    with op.batch_alter_table("rfr_library_images", schema=None) as batch_op:
        batch_op.create_index("ix_rfr_library_images_deleted", ["library_id", "deleted_at"])


def downgrade() -> None:
    with op.batch_alter_table("rfr_library_images", schema=None) as batch_op:
        batch_op.drop_index("ix_rfr_library_images_deleted")
    with op.batch_alter_table("rfr_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_rfr_templates_kind")
        batch_op.create_index("ix_rfr_templates_kind", ["library_id", "algorithm", "version"])
