"""kept texts: small built texts shared by every process

`cached_texts` (interacta.core.cache) kept an event's VEVENT text per process only, unless
Redis was configured: with ten times the data, each gunicorn worker built the 12,500 texts
of the public feed on its first miss (about 15 s each), four at once passed the workers'
timeout, and the texts were lost with the restarted workers. Kept in this table, a text is
built once for every process, and survives a restart.

Revision ID: 0034_kept_texts
Revises: 0033_topic_times
Create Date: 2026-11-27 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_kept_texts"
down_revision = "0033_topic_times"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_texts",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("version", sa.String(120), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kept_texts")),
    )


def downgrade():
    op.drop_table("kept_texts")
