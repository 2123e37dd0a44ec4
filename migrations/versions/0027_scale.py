"""scale: a topic's records in id order

- ix_publication_topics_topic_publication (topic_id, publication_id), replacing
  ix_publication_topics_topic_id: a publication page's related records take the most
  recently added records of each of its topics from it, a bounded read, instead of grouping
  every record that shares a topic (a third of the table per topic in the bench data). Topic
  filters and facets use it as they used the old one.

Revision ID: 0027_scale
Revises: 0026_miss
Create Date: 2026-11-26 20:10:00
"""

from alembic import op


revision = "0027_scale"
down_revision = "0026_miss"
branch_labels = None
depends_on = None


def upgrade():
    # Plain index operations, never a batch (which could rebuild the table on SQLite).
    op.create_index(
        "ix_publication_topics_topic_publication",
        "publication_topics",
        ["topic_id", "publication_id"],
    )
    op.drop_index("ix_publication_topics_topic_id", table_name="publication_topics")


def downgrade():
    op.create_index("ix_publication_topics_topic_id", "publication_topics", ["topic_id"])
    op.drop_index("ix_publication_topics_topic_publication", table_name="publication_topics")
