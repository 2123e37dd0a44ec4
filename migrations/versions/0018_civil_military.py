"""civil-military participation: rules of the room, participant lists

`events.room_rule` (on_record | chatham_house | off_record, default on_record) and
`agenda_sessions.room_rule` (NULL: the event's rule), see interacta.events.room.
`events.participant_list` (hidden | participants | public, default hidden);
`registrations.is_listed` (the participant agreed to appear, default false) and
`registrations.sector` (the registrant's sector), see interacta.events.participants.

Revision ID: 0018_civil_military
Revises: 0017_calls
Create Date: 2026-11-26 12:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0018_civil_military"
down_revision = "0017_calls"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("room_rule", sa.String(20), nullable=False, server_default="on_record")
        )
        batch.add_column(
            sa.Column("participant_list", sa.String(12), nullable=False, server_default="hidden")
        )
        batch.add_column(
            sa.Column("reservations_release_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "event_sector_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_sector_groups_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sector_groups")),
    )
    op.create_index(op.f("ix_event_sector_groups_event_id"), "event_sector_groups", ["event_id"])
    with op.batch_alter_table("agenda_sessions") as batch:
        batch.add_column(sa.Column("room_rule", sa.String(20), nullable=True))
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(
            sa.Column("is_listed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("sector", sa.String(40), nullable=True))


def downgrade():
    op.drop_index(op.f("ix_event_sector_groups_event_id"), table_name="event_sector_groups")
    op.drop_table("event_sector_groups")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("sector")
        batch.drop_column("is_listed")
    with op.batch_alter_table("agenda_sessions") as batch:
        batch.drop_column("room_rule")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("reservations_release_at")
        batch.drop_column("participant_list")
        batch.drop_column("room_rule")
