"""calls: an event's call for papers, its review criteria and the submissions

Revision ID: 0017_calls
Revises: 0016_network
Create Date: 2026-11-26 12:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0017_calls"
down_revision = "0016_network"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("types", sa.String(length=100), nullable=False),
        sa.Column("tracks", sa.Text(), nullable=False),
        sa.Column("abstract_word_limit", sa.Integer(), nullable=False),
        sa.Column("pdf_required", sa.Boolean(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blind_mode", sa.String(length=10), nullable=False),
        sa.Column("reviews_per_submission", sa.Integer(), nullable=False),
        sa.Column("decision_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_calls_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("event_id", name=op.f("uq_calls_event_id")),
    )
    op.create_table(
        "call_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_criteria_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_criteria")),
    )
    op.create_index(op.f("ix_call_criteria_call_id"), "call_criteria", ["call_id"], unique=False)
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_key", sa.String(length=300), nullable=False),
        sa.Column("contribution_type", sa.String(length=20), nullable=False),
        sa.Column("track", sa.String(length=200), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("keywords", sa.String(length=500), nullable=False),
        sa.Column("coauthors", sa.JSON(), nullable=False),
        sa.Column("pdf_file", sa.String(length=64), nullable=True),
        sa.Column("pdf_size", sa.Integer(), nullable=True),
        sa.Column("consent_publication", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_submissions_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_submissions_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    op.create_index("ix_submissions_call_status", "submissions", ["call_id", "status"], unique=False)
    op.create_index(op.f("ix_submissions_member_id"), "submissions", ["member_id"], unique=False)
    op.create_table(
        "call_reviewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("preferred_tracks", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_reviewers_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_call_reviewers_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_reviewers")),
        sa.UniqueConstraint("call_id", "member_id", name=op.f("uq_call_reviewers_call_id")),
    )
    op.create_index(op.f("ix_call_reviewers_member_id"), "call_reviewers", ["member_id"], unique=False)
    op.create_table(
        "review_conflicts",
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["call_reviewers.id"],
            name=op.f("fk_review_conflicts_reviewer_id_call_reviewers"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"],
            name=op.f("fk_review_conflicts_submission_id_submissions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reviewer_id", "submission_id", name=op.f("pk_review_conflicts")),
    )
    op.create_table(
        "review_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["call_reviewers.id"],
            name=op.f("fk_review_assignments_reviewer_id_call_reviewers"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"],
            name=op.f("fk_review_assignments_submission_id_submissions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignments")),
        sa.UniqueConstraint(
            "submission_id", "reviewer_id", name=op.f("uq_review_assignments_submission_id")
        ),
    )
    op.create_index(
        op.f("ix_review_assignments_reviewer_id"), "review_assignments", ["reviewer_id"], unique=False
    )
    op.create_index(
        op.f("ix_review_assignments_submission_id"), "review_assignments", ["submission_id"],
        unique=False,
    )


def downgrade():
    op.drop_table("review_assignments")
    op.drop_table("review_conflicts")
    op.drop_index(op.f("ix_call_reviewers_member_id"), table_name="call_reviewers")
    op.drop_table("call_reviewers")
    op.drop_index(op.f("ix_submissions_member_id"), table_name="submissions")
    op.drop_index("ix_submissions_call_status", table_name="submissions")
    op.drop_table("submissions")
    op.drop_index(op.f("ix_call_criteria_call_id"), table_name="call_criteria")
    op.drop_table("call_criteria")
    op.drop_table("calls")
