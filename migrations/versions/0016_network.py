"""network: organisations (partners), their names in other languages, events' co-organisers,
and the organisation records members and publication authors link to

Revision ID: 0016_network
Revises: 0015_publication_identifiers
Create Date: 2026-11-26 12:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0016_network"
down_revision = "0015_publication_identifiers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=40), nullable=True),
        sa.Column("is_partner", sa.Boolean(), nullable=False),
        sa.Column("partner_since", sa.Date(), nullable=True),
        sa.Column("is_confirmed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisations_slug")),
    )
    op.create_index("ix_organisations_updated_at", "organisations", ["updated_at"])
    op.create_table(
        "organisation_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_translations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_translations")),
        sa.UniqueConstraint(
            "organisation_id",
            "language",
            name=op.f("uq_organisation_translations_organisation_id"),
        ),
    )
    op.create_table(
        "event_organisations",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_organisations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_event_organisations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "organisation_id", name=op.f("pk_event_organisations")),
    )
    op.create_index(
        op.f("ix_event_organisations_organisation_id"),
        "event_organisations",
        ["organisation_id"],
    )
    for table in ("members", "publication_authors"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
            batch.create_index(op.f(f"ix_{table}_organisation_id"), ["organisation_id"])
            batch.create_foreign_key(
                op.f(f"fk_{table}_organisation_id_organisations"),
                "organisations",
                ["organisation_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade():
    for table in ("publication_authors", "members"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(
                op.f(f"fk_{table}_organisation_id_organisations"), type_="foreignkey"
            )
            batch.drop_index(op.f(f"ix_{table}_organisation_id"))
            batch.drop_column("organisation_id")
    op.drop_index(op.f("ix_event_organisations_organisation_id"), table_name="event_organisations")
    op.drop_table("event_organisations")
    op.drop_table("organisation_translations")
    op.drop_index("ix_organisations_updated_at", table_name="organisations")
    op.drop_table("organisations")
