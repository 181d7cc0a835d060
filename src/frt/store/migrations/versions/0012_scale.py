"""scale: camera leases and workers, Alert idempotency keys, CHECK constraints on status columns
(issue 14; issue 9 item 7)

Revision ID: 0012s
Revises: 0011_live

The allowed values are written out here, not imported: a migration is a record of the schema at
its time. `tests/store/test_status_constraints.py` fails if an enum and this list part ways.

SQLite cannot add a CHECK constraint to an existing table without rebuilding it, and rebuilding a
table other tables reference (lfr_deployments, lfr_applications, …) with foreign keys enforced
would fail or orphan rows; there the same rule is two triggers (before insert, before update of
the column) that abort the statement with SQLite's constraint error.
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0012s"
down_revision = "0012r"
branch_labels = None
depends_on = None

STATUS_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("lfr_applications", "status"): (
        "draft",
        "submitted",
        "amendments_required",
        "authorised",
        "rejected",
    ),
    ("lfr_documents", "review_status"): ("not_reviewed", "reviewed", "needs_amendment"),
    ("lfr_authorities", "status"): ("in_force", "stopped"),
    ("lfr_deployments", "state"): ("planned", "active", "suspended", "terminated", "ended"),
    ("lfr_cancellation_reports", "status"): ("draft", "submitted"),
    ("rfr_libraries", "status"): ("applied", "approved", "urgent_approved", "refused", "stopped"),
    ("rfr_searches", "status"): (
        "draft",
        "awaiting_approval",
        "ready",
        "searching",
        "refused",
        "completed",
    ),
    ("lfr_cameras", "state"): ("idle", "running", "finished"),
}


def constraint_name(table: str, column: str) -> str:
    return f"ck_{table}_{column}_allowed"


def _allowed(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    _scale_tables()
    sqlite = op.get_bind().dialect.name == "sqlite"
    for (table, column), values in STATUS_COLUMNS.items():
        name, rule = constraint_name(table, column), _allowed(column, values)
        if not sqlite:
            op.create_check_constraint(op.f(name), table, rule)
            continue
        failed = f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}') WHERE NOT (NEW.{rule})"
        op.execute(
            f"CREATE TRIGGER {name}_ins BEFORE INSERT ON {table} FOR EACH ROW BEGIN {failed}; END"
        )
        op.execute(
            f"CREATE TRIGGER {name}_upd BEFORE UPDATE OF {column} ON {table} FOR EACH ROW "
            f"BEGIN {failed}; END"
        )


def _scale_tables() -> None:
    op.create_table(
        "lfr_cameras",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deployment_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("source_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=True),
        sa.Column("added_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("claimed_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"], ["users.id"], name=op.f("fk_lfr_cameras_added_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["lfr_deployments.id"],
            name=op.f("fk_lfr_cameras_deployment_id_lfr_deployments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lfr_cameras")),
        sa.UniqueConstraint("deployment_id", "name", name=op.f("uq_lfr_cameras_deployment_id")),
    )
    op.create_index(op.f("ix_lfr_cameras_deployment_id"), "lfr_cameras", ["deployment_id"])
    op.create_index(op.f("ix_lfr_cameras_state"), "lfr_cameras", ["state"])
    op.create_table(
        "lfr_workers",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=80), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("started_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lfr_workers")),
    )
    op.add_column("lfr_alerts", sa.Column("track_key", sa.String(length=80), nullable=True))
    op.create_index(
        "uq_lfr_alerts_track_key",
        "lfr_alerts",
        ["deployment_id", "camera", "track_key"],
        unique=True,
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in STATUS_COLUMNS:
        name = constraint_name(table, column)
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_ins")
            op.execute(f"DROP TRIGGER IF EXISTS {name}_upd")
        else:
            op.drop_constraint(op.f(name), table, type_="check")
    op.drop_index("uq_lfr_alerts_track_key", table_name="lfr_alerts")
    with op.batch_alter_table("lfr_alerts") as batch_op:
        batch_op.drop_column("track_key")
    op.drop_table("lfr_workers")
    op.drop_index(op.f("ix_lfr_cameras_state"), table_name="lfr_cameras")
    op.drop_index(op.f("ix_lfr_cameras_deployment_id"), table_name="lfr_cameras")
    op.drop_table("lfr_cameras")
