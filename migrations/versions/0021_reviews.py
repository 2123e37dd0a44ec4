"""calls: reviews (scores per criterion, comments, recommendation; one per reviewer and round)

Revision ID: 0021_reviews
Revises: 0020_certificates
Create Date: 2026-11-26 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0021_reviews"
down_revision = "0020_certificates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment_authors", sa.Text(), nullable=False),
        sa.Column("comment_organizers", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"],
            name=op.f("fk_reviews_submission_id_submissions"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["call_reviewers.id"],
            name=op.f("fk_reviews_reviewer_id_call_reviewers"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint(
            "submission_id", "reviewer_id", "round",
            name=op.f("uq_reviews_submission_id"),
        ),
    )
    op.create_index(op.f("ix_reviews_submission_id"), "reviews", ["submission_id"], unique=False)
    op.create_index(op.f("ix_reviews_reviewer_id"), "reviews", ["reviewer_id"], unique=False)


def downgrade():
    op.drop_table("reviews")
