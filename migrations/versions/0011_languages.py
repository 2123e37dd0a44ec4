"""Languages: a member's language, and the language a guest registered in.

Revision ID: 0011_languages
Revises: 0010_search_and_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_languages"
down_revision = "0010_search_and_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))


def downgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("language")
