"""credentials: certificate settings per event, issued certificates

Revision ID: 0020_certificates
Revises: 0019_session_attendance
Create Date: 2026-11-26 12:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0020_certificates"
down_revision = "0019_session_attendance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(length=12), nullable=False),
        sa.Column("min_percent", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"],
            name=op.f("fk_certificate_settings_event_id_events"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_certificate_settings")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("holder_name", sa.String(length=120), nullable=False),
        sa.Column("event_title", sa.String(length=200), nullable=False),
        sa.Column("event_kind", sa.String(length=20), nullable=False),
        sa.Column("event_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hours", sa.Double(), nullable=False),
        sa.Column("sessions_attended", sa.Integer(), nullable=False),
        sa.Column("sessions_total", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("manual_reason", sa.String(length=500), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"],
            name=op.f("fk_certificates_event_id_events"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"], ["registrations.id"],
            name=op.f("fk_certificates_registration_id_registrations"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"],
            name=op.f("fk_certificates_member_id_members"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["members.id"],
            name=op.f("fk_certificates_issued_by_id_members"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["members.id"],
            name=op.f("fk_certificates_revoked_by_id_members"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("public_id", name=op.f("uq_certificates_public_id")),
        sa.UniqueConstraint("serial", name=op.f("uq_certificates_serial")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_certificates_registration_id")),
    )
    op.create_index("ix_certificates_event_id", "certificates", ["event_id"], unique=False)
    op.create_index(
        op.f("ix_certificates_member_id"), "certificates", ["member_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_certificates_member_id"), table_name="certificates")
    op.drop_index("ix_certificates_event_id", table_name="certificates")
    op.drop_table("certificates")
    op.drop_table("certificate_settings")
