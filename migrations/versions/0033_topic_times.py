"""topic times: `created_at` and `updated_at` on topics

The list pages' topic filters (events, member directory) read every topic on each build.
With an `updated_at` the topics have a cache fingerprint like the other tables: the list
of topics is kept under it, and the pages' own fingerprint reads it in the same statement
(interacta.core.topics). Existing topics get the time of the upgrade.

Revision ID: 0033_topic_times
Revises: 0032_search
Create Date: 2026-11-27 09:40:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0033_topic_times"
down_revision = "0032_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("topics") as batch:
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    now = datetime.now(UTC)
    topics = sa.table(
        "topics",
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.execute(topics.update().values(created_at=now, updated_at=now))
    with op.batch_alter_table("topics") as batch:
        batch.alter_column("created_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_topics_updated_at", ["updated_at"])


def downgrade():
    with op.batch_alter_table("topics") as batch:
        batch.drop_index("ix_topics_updated_at")
        batch.drop_column("updated_at")
        batch.drop_column("created_at")
