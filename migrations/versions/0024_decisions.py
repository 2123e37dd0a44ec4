"""calls: decisions (accept as, reject, revise and resubmit with a deadline; sent once),
revisions with their history, the organizer's decision mail templates; accepted
contributions linked to their agenda session and working paper; agenda sessions "to be
scheduled"

Revision ID: 0024_decisions
Revises: 0023_digests
Create Date: 2026-11-26 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0024_decisions"
down_revision = "0023_digests"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agenda_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("to_schedule", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("accepted_as", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("decision_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("revise_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("agenda_session_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("publication_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_agenda_session_id_agenda_sessions"),
            "agenda_sessions", ["agenda_session_id"], ["id"], ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_publication_id_publications"),
            "publications", ["publication_id"], ["id"], ondelete="SET NULL",
        )
    op.create_table(
        "submission_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("contribution_type", sa.String(length=20), nullable=False),
        sa.Column("track", sa.String(length=200), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("keywords", sa.String(length=500), nullable=False),
        sa.Column("coauthors", sa.JSON(), nullable=False),
        sa.Column("pdf_file", sa.String(length=64), nullable=True),
        sa.Column("pdf_size", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revise_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"],
            name=op.f("fk_submission_revisions_submission_id_submissions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_revisions")),
        sa.UniqueConstraint(
            "submission_id", "round", name=op.f("uq_submission_revisions_submission_id")
        ),
    )
    op.create_index(
        op.f("ix_submission_revisions_submission_id"),
        "submission_revisions", ["submission_id"], unique=False,
    )
    op.create_table(
        "decision_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"],
            name=op.f("fk_decision_templates_call_id_calls"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_templates")),
        sa.UniqueConstraint("call_id", "kind", name=op.f("uq_decision_templates_call_id")),
    )


def downgrade():
    op.drop_table("decision_templates")
    op.drop_table("submission_revisions")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_publication_id_publications"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_agenda_session_id_agenda_sessions"), type_="foreignkey"
        )
        for column in (
            "publication_id", "agenda_session_id", "revise_by", "decision_sent_at",
            "decided_at", "accepted_as", "round",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("agenda_sessions", schema=None) as batch_op:
        batch_op.drop_column("to_schedule")
