"""Retrospective Facial Recognition: libraries, enrolment, searches, results (RFR-01..09)

Revision ID: 0010r
Revises: 0008 (other branches add theirs on 0008; the chain is joined at merge)
"""

import sqlalchemy as sa
from alembic import op

import frt.store.base

revision = "0010r"
down_revision = "0009a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rfr_libraries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("composition", sa.Text(), nullable=False),
        sa.Column("elevated_considerations", sa.Text(), nullable=False),
        sa.Column("necessity", sa.Text(), nullable=False),
        sa.Column("monitoring", sa.Text(), nullable=False),
        sa.Column("investigation", sa.String(length=200), nullable=False),
        sa.Column("applicant_id", sa.String(length=32), nullable=False),
        sa.Column("applied_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("image_level", sa.Integer(), nullable=True),
        sa.Column("access_all", sa.Boolean(), nullable=False),
        sa.Column("access_user_ids", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=32), nullable=True),
        sa.Column("approved_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_due", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("written_rationale_due", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["users.id"], name=op.f("fk_rfr_libraries_applicant_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_rfr_libraries_approved_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_libraries")),
        sa.UniqueConstraint("reference", name=op.f("uq_rfr_libraries_reference")),
    )
    op.create_table(
        "rfr_searches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("case_reference", sa.String(length=100), nullable=False),
        sa.Column("searcher_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("subject_status", sa.String(length=20), nullable=False),
        sa.Column("status_rationale", sa.Text(), nullable=False),
        sa.Column("probe_level", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("pre_checks", sa.JSON(), nullable=False),
        sa.Column("pre_checks_note", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("urgency_rationale", sa.Text(), nullable=False),
        sa.Column("necessity", sa.Text(), nullable=False),
        sa.Column("proportionality", sa.Text(), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=False),
        sa.Column("disability", sa.Boolean(), nullable=False),
        sa.Column("pre_reassignment_image", sa.Boolean(), nullable=False),
        sa.Column("collection", sa.Boolean(), nullable=False),
        sa.Column("offence", sa.String(length=120), nullable=True),
        sa.Column("offence_recordable", sa.Boolean(), nullable=True),
        sa.Column("library_ids", sa.JSON(), nullable=False),
        sa.Column("search_all", sa.Boolean(), nullable=False),
        sa.Column("search_all_rationale", sa.Text(), nullable=False),
        sa.Column("submitted_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("approved_keys", sa.JSON(), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=True),
        sa.Column("version", sa.String(length=80), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("completed_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["searcher_id"], ["users.id"], name=op.f("fk_rfr_searches_searcher_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_searches")),
        sa.UniqueConstraint("reference", name=op.f("uq_rfr_searches_reference")),
    )
    with op.batch_alter_table("rfr_searches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_searches_searcher_id"), ["searcher_id"], unique=False
        )

    op.create_table(
        "rfr_enrolment_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("library_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_by", sa.String(length=32), nullable=False),
        sa.Column("started_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["rfr_libraries.id"],
            name=op.f("fk_rfr_enrolment_jobs_library_id_rfr_libraries"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"], name=op.f("fk_rfr_enrolment_jobs_started_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_enrolment_jobs")),
    )
    with op.batch_alter_table("rfr_enrolment_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_enrolment_jobs_library_id"), ["library_id"], unique=False
        )

    op.create_table(
        "rfr_library_decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("library_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.String(length=40), nullable=False),
        sa.Column("decided_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("image_level", sa.Integer(), nullable=True),
        sa.Column("access_all", sa.Boolean(), nullable=False),
        sa.Column("access_user_ids", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("review_due", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verbal", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("noted_by", sa.String(length=32), nullable=True),
        sa.Column("noted_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_rfr_library_decisions_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["rfr_libraries.id"],
            name=op.f("fk_rfr_library_decisions_library_id_rfr_libraries"),
        ),
        sa.ForeignKeyConstraint(
            ["noted_by"], ["users.id"], name=op.f("fk_rfr_library_decisions_noted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_library_decisions")),
    )
    with op.batch_alter_table("rfr_library_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_library_decisions_library_id"), ["library_id"], unique=False
        )

    op.create_table(
        "rfr_probe_images",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("upload_sha256", sa.String(length=64), nullable=False),
        sa.Column("upload_bytes", sa.Integer(), nullable=False),
        sa.Column("frame_index", sa.Integer(), nullable=True),
        sa.Column("frames_read", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("image_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_probe_images_search_id_rfr_searches"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_rfr_probe_images_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_probe_images")),
    )
    with op.batch_alter_table("rfr_probe_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_probe_images_search_id"), ["search_id"], unique=False
        )

    op.create_table(
        "rfr_search_approvals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.String(length=40), nullable=False),
        sa.Column("decided_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_rfr_search_approvals_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_search_approvals_search_id_rfr_searches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_search_approvals")),
    )
    with op.batch_alter_table("rfr_search_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_search_approvals_search_id"), ["search_id"], unique=False
        )

    op.create_table(
        "rfr_search_steps",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("library_ids", sa.JSON(), nullable=False),
        sa.Column("search_all", sa.Boolean(), nullable=False),
        sa.Column("run_by", sa.String(length=32), nullable=False),
        sa.Column("run_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("templates_searched", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_by", sa.String(length=32), nullable=True),
        sa.Column("outcome_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_by"], ["users.id"], name=op.f("fk_rfr_search_steps_outcome_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["run_by"], ["users.id"], name=op.f("fk_rfr_search_steps_run_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_search_steps_search_id_rfr_searches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_search_steps")),
    )
    with op.batch_alter_table("rfr_search_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_search_steps_search_id"), ["search_id"], unique=False
        )

    op.create_table(
        "rfr_technical_advice",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("given_by", sa.String(length=32), nullable=False),
        sa.Column("given_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["given_by"], ["users.id"], name=op.f("fk_rfr_technical_advice_given_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_technical_advice_search_id_rfr_searches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_technical_advice")),
    )
    with op.batch_alter_table("rfr_technical_advice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_technical_advice_search_id"), ["search_id"], unique=False
        )

    op.create_table(
        "rfr_library_images",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("library_id", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("image_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("faces_found", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Float(), nullable=True),
        sa.Column("captured_on", sa.Date(), nullable=True),
        sa.Column("age_band", sa.String(length=8), nullable=True),
        sa.Column("mopi_group", sa.Integer(), nullable=True),
        sa.Column("source_reference", sa.String(length=200), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["rfr_enrolment_jobs.id"],
            name=op.f("fk_rfr_library_images_job_id_rfr_enrolment_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["rfr_libraries.id"],
            name=op.f("fk_rfr_library_images_library_id_rfr_libraries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_library_images")),
        sa.UniqueConstraint(
            "library_id", "item_key", name=op.f("uq_rfr_library_images_library_id")
        ),
    )
    with op.batch_alter_table("rfr_library_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_library_images_library_id"), ["library_id"], unique=False
        )
        batch_op.create_index("ix_rfr_library_images_sha", ["library_id", "sha256"], unique=False)

    op.create_table(
        "rfr_probe_faces",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("probe_image_id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("x0", sa.Integer(), nullable=False),
        sa.Column("y0", sa.Integer(), nullable=False),
        sa.Column("x1", sa.Integer(), nullable=False),
        sa.Column("y1", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("quality", sa.Float(), nullable=False),
        sa.Column("quality_reasons", sa.JSON(), nullable=False),
        sa.Column("track", sa.Integer(), nullable=True),
        sa.Column("track_frames", sa.Integer(), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("selected_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("crop_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("template_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("algorithm", sa.String(length=40), nullable=True),
        sa.Column("version", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["probe_image_id"],
            ["rfr_probe_images.id"],
            name=op.f("fk_rfr_probe_faces_probe_image_id_rfr_probe_images"),
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_probe_faces_search_id_rfr_searches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_probe_faces")),
    )
    with op.batch_alter_table("rfr_probe_faces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_probe_faces_probe_image_id"), ["probe_image_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rfr_probe_faces_search_id"), ["search_id"], unique=False
        )

    op.create_table(
        "rfr_candidates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("step_id", sa.String(length=32), nullable=False),
        sa.Column("face_id", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("library_id", sa.String(length=32), nullable=False),
        sa.Column("image_id", sa.String(length=32), nullable=False),
        sa.Column("adjudication", sa.String(length=20), nullable=True),
        sa.Column("adjudicated_by", sa.String(length=32), nullable=True),
        sa.Column("adjudicated_at", frt.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjudicated_by"], ["users.id"], name=op.f("fk_rfr_candidates_adjudicated_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["face_id"],
            ["rfr_probe_faces.id"],
            name=op.f("fk_rfr_candidates_face_id_rfr_probe_faces"),
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["rfr_library_images.id"],
            name=op.f("fk_rfr_candidates_image_id_rfr_library_images"),
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["rfr_libraries.id"],
            name=op.f("fk_rfr_candidates_library_id_rfr_libraries"),
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_candidates_search_id_rfr_searches"),
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["rfr_search_steps.id"],
            name=op.f("fk_rfr_candidates_step_id_rfr_search_steps"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_candidates")),
    )
    with op.batch_alter_table("rfr_candidates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_candidates_search_id"), ["search_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rfr_candidates_step_id"), ["step_id"], unique=False)

    op.create_table(
        "rfr_templates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("image_id", sa.String(length=32), nullable=False),
        sa.Column("library_id", sa.String(length=32), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("template_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["rfr_library_images.id"],
            name=op.f("fk_rfr_templates_image_id_rfr_library_images"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["rfr_enrolment_jobs.id"],
            name=op.f("fk_rfr_templates_job_id_rfr_enrolment_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["rfr_libraries.id"],
            name=op.f("fk_rfr_templates_library_id_rfr_libraries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_templates")),
        sa.UniqueConstraint(
            "image_id", "algorithm", "version", name=op.f("uq_rfr_templates_image_id")
        ),
    )
    with op.batch_alter_table("rfr_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rfr_templates_kind", ["library_id", "algorithm", "version"], unique=False
        )

    op.create_table(
        "rfr_match_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("candidate_id", sa.String(length=32), nullable=False),
        sa.Column("made_by", sa.String(length=32), nullable=False),
        sa.Column("made_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("caveat", sa.Text(), nullable=False),
        sa.Column("caveat_cite", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["rfr_candidates.id"],
            name=op.f("fk_rfr_match_reports_candidate_id_rfr_candidates"),
        ),
        sa.ForeignKeyConstraint(
            ["made_by"], ["users.id"], name=op.f("fk_rfr_match_reports_made_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_match_reports_search_id_rfr_searches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_match_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_rfr_match_reports_reference")),
    )
    with op.batch_alter_table("rfr_match_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_match_reports_search_id"), ["search_id"], unique=False
        )

    op.create_table(
        "rfr_disseminations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("search_id", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("shared", sa.JSON(), nullable=False),
        sa.Column("caveat_attached", sa.Boolean(), nullable=False),
        sa.Column("outside_force", sa.Boolean(), nullable=False),
        sa.Column("safeguards_obliged", sa.Boolean(), nullable=False),
        sa.Column("shared_by", sa.String(length=32), nullable=False),
        sa.Column("shared_at", frt.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["rfr_match_reports.id"],
            name=op.f("fk_rfr_disseminations_report_id_rfr_match_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["rfr_searches.id"],
            name=op.f("fk_rfr_disseminations_search_id_rfr_searches"),
        ),
        sa.ForeignKeyConstraint(
            ["shared_by"], ["users.id"], name=op.f("fk_rfr_disseminations_shared_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfr_disseminations")),
    )
    with op.batch_alter_table("rfr_disseminations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rfr_disseminations_search_id"), ["search_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rfr_disseminations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_disseminations_search_id"))

    op.drop_table("rfr_disseminations")
    with op.batch_alter_table("rfr_match_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_match_reports_search_id"))

    op.drop_table("rfr_match_reports")
    with op.batch_alter_table("rfr_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_rfr_templates_kind")

    op.drop_table("rfr_templates")
    with op.batch_alter_table("rfr_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_candidates_step_id"))
        batch_op.drop_index(batch_op.f("ix_rfr_candidates_search_id"))

    op.drop_table("rfr_candidates")
    with op.batch_alter_table("rfr_probe_faces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_probe_faces_search_id"))
        batch_op.drop_index(batch_op.f("ix_rfr_probe_faces_probe_image_id"))

    op.drop_table("rfr_probe_faces")
    with op.batch_alter_table("rfr_library_images", schema=None) as batch_op:
        batch_op.drop_index("ix_rfr_library_images_sha")
        batch_op.drop_index(batch_op.f("ix_rfr_library_images_library_id"))

    op.drop_table("rfr_library_images")
    with op.batch_alter_table("rfr_technical_advice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_technical_advice_search_id"))

    op.drop_table("rfr_technical_advice")
    with op.batch_alter_table("rfr_search_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_search_steps_search_id"))

    op.drop_table("rfr_search_steps")
    with op.batch_alter_table("rfr_search_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_search_approvals_search_id"))

    op.drop_table("rfr_search_approvals")
    with op.batch_alter_table("rfr_probe_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_probe_images_search_id"))

    op.drop_table("rfr_probe_images")
    with op.batch_alter_table("rfr_library_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_library_decisions_library_id"))

    op.drop_table("rfr_library_decisions")
    with op.batch_alter_table("rfr_enrolment_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_enrolment_jobs_library_id"))

    op.drop_table("rfr_enrolment_jobs")
    with op.batch_alter_table("rfr_searches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfr_searches_searcher_id"))

    op.drop_table("rfr_searches")
    op.drop_table("rfr_libraries")
