"""events: attendance per agenda session

`session_attendances` records, per confirmed registration and agenda session, whether the
participant was present, when and by whom it was marked (certificates are earned from it).

Revision ID: 0019_session_attendance
Revises: 0018_civil_military
Create Date: 2026-11-26 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0019_session_attendance"
down_revision = "0018_civil_military"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "session_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("is_present", sa.Boolean(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_session_attendances_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["agenda_sessions.id"],
            name=op.f("fk_session_attendances_session_id_agenda_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["members.id"],
            name=op.f("fk_session_attendances_marked_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendances")),
        sa.UniqueConstraint(
            "registration_id", "session_id",
            name=op.f("uq_session_attendances_registration_id"),
        ),
    )
    op.create_index(
        op.f("ix_session_attendances_registration_id"),
        "session_attendances", ["registration_id"], unique=False,
    )
    op.create_index(
        op.f("ix_session_attendances_session_id"),
        "session_attendances", ["session_id"], unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_session_attendances_session_id"), table_name="session_attendances")
    op.drop_index(
        op.f("ix_session_attendances_registration_id"), table_name="session_attendances"
    )
    op.drop_table("session_attendances")
