"""credentials: each certificate's signed Open Badges 3.0 credential (VC-JWT)

Revision ID: 0022_creds
Revises: 0021_reviews
Create Date: 2026-11-26 14:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0022_creds"
down_revision = "0021_reviews"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("credential_jwt", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("credential_jwt")
