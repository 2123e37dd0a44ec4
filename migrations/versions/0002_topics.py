"""data: the network's areas of focus

Revision ID: 0002_topics
Revises: 0001_foundation
Create Date: 2026-11-24 17:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002_topics"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

TOPICS = [
    ("protection-of-civilians", "Protection of civilians"),
    ("civilian-casualties", "Reduction of civilian casualties"),
    ("non-lethal-capability", "Non-lethal capability"),
    ("cultural-property", "Cultural property protection"),
    ("religion", "Religion"),
    ("civil-homeland-security", "Civil and homeland security"),
    ("critical-infrastructure", "Critical infrastructure protection"),
    ("risk-reduction", "Risk reduction"),
    ("disaster-management", "Disaster management and humanitarian assistance"),
    ("joint-medical-stability", "Joint medical stability operations"),
    ("good-governance", "Good governance"),
    ("rule-of-law", "Rule of law"),
]

topics = sa.table(
    "topics",
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
    sa.column("position", sa.Integer),
)


def upgrade():
    op.bulk_insert(
        topics,
        [{"slug": slug, "name": name, "position": i} for i, (slug, name) in enumerate(TOPICS)],
    )


def downgrade():
    op.execute(topics.delete().where(topics.c.slug.in_([slug for slug, _ in TOPICS])))
