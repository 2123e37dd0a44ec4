"""publications: ORCID iDs and ROR ids on authors, imports from the web

`publication_authors` gets `orcid` (an ORCID iD, 0000-0002-1825-0097 form) and
`affiliation_ror` (a ROR id, the 9 characters after https://ror.org/).
`publication_imports` records each BibTeX or RIS file an organizer imports from the web:
who, the file's name, the status of the background job, entries done of total, the report.

Revision ID: 0015_publication_identifiers
Revises: 0014_content_translations
Create Date: 2026-11-26 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_publication_identifiers"
down_revision = "0014_content_translations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("publication_authors") as batch:
        batch.add_column(sa.Column("orcid", sa.String(19), nullable=True))
        batch.add_column(sa.Column("affiliation_ror", sa.String(9), nullable=True))
    op.create_table(
        "publication_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("file_format", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("record_status", sa.String(10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_publication_imports_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_imports")),
    )
    op.create_index("ix_publication_imports_member_id", "publication_imports", ["member_id"])


def downgrade():
    op.drop_index("ix_publication_imports_member_id", table_name="publication_imports")
    op.drop_table("publication_imports")
    with op.batch_alter_table("publication_authors") as batch:
        batch.drop_column("affiliation_ror")
        batch.drop_column("orcid")
